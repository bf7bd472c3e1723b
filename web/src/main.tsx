// Entry point: one AppModel for the page, rendered by <App/>.

import { render } from "preact";

import { AppModel } from "./app/model";
import { App } from "./ui/App";
import { AppContext } from "./ui/context";

const root = document.getElementById("app");
if (root !== null) {
  const app = new AppModel(window);
  render(
    <AppContext.Provider value={app}>
      <App />
    </AppContext.Provider>,
    root,
  );
}
