// Level meter of the own microphone (driven by a WebAudio AnalyserNode).

import { useApp, useT } from "./context";

export function MicLevel() {
  const app = useApp();
  const t = useT();
  const on = app.media.micTrack.value !== null;
  const level = app.media.micLevel.level.value;
  return (
    <div class="mic-level">
      <span class="mic-level__label" id="mic-level-label">
        {t("prejoin.micLevel")}
      </span>
      <meter
        class="mic-level__meter"
        min={0}
        max={1}
        low={0.5}
        high={0.85}
        optimum={0.3}
        value={on ? level : 0}
        aria-labelledby="mic-level-label"
        data-testid="mic-level"
      />
    </div>
  );
}
