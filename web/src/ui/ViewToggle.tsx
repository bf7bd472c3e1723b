// Switches between the gallery and the speaker view. Like the device
// toggles it keeps one name ("Sprecheransicht"), and aria-pressed says
// whether the speaker view is on; the visible text is the name, so that
// what is seen is what a voice user says.

import { Icon } from "./Icon";
import { useCallView } from "./callContext";
import { useT } from "./context";

export function ViewToggle() {
  const t = useT();
  const gallery = useCallView().gallery;
  const speaker = gallery.mode.value === "speaker";
  return (
    <button
      type="button"
      class={`toggle ${speaker ? "toggle--pressed" : "toggle--neutral"}`}
      aria-pressed={speaker}
      aria-label={t("view.speaker")}
      data-testid="view-toggle"
      onClick={() => gallery.toggleMode()}
    >
      <Icon name={speaker ? "speakerView" : "galleryView"} />
      <span>{t("view.speaker")}</span>
    </button>
  );
}
