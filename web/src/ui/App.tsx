// The whole page: header, browser notice, the page for the route, footer.

import { BrowserNotice } from "./BrowserNotice";
import { Footer } from "./Footer";
import { Header } from "./Header";
import { RoomPage } from "./RoomPage";
import { StartPage } from "./StartPage";
import { AccountPage } from "./account/AccountPage";
import { HelpPage } from "./helpdesk/HelpPage";
import { useApp } from "./context";

export function App() {
  const app = useApp();
  const route = app.route.value;
  const inCall = route.page === "room" && app.phase.value === "room";
  return (
    <div class={inCall ? "layout layout--call" : "layout"}>
      {!inCall && <Header />}
      {app.showBrowserNotice.value && <BrowserNotice />}
      <main id="main" class="main">
        {route.page === "start" && <StartPage />}
        {route.page === "room" && <RoomPage key={route.room} room={route.room} />}
        {route.page === "account" && <AccountPage view={route.view} />}
        {route.page === "help" && <HelpPage view={route.view} />}
      </main>
      {!inCall && <Footer />}
    </div>
  );
}
