// Media for the loopback call that needs no camera or microphone: a moving
// picture from a canvas and a quiet tone. The network check then works even
// when the devices are denied, and its bit rate does not depend on them.

export interface SyntheticMedia {
  audio: MediaStreamTrack;
  video: MediaStreamTrack;
  stop(): void;
}

export function syntheticMedia(doc: Document): SyntheticMedia {
  const canvas = doc.createElement("canvas");
  canvas.width = 640;
  canvas.height = 360;
  const ctx = canvas.getContext("2d");
  let frame = 0;
  // A timer, not requestAnimationFrame: it keeps drawing in a background tab.
  const timer = window.setInterval(() => {
    if (ctx === null) return;
    frame += 1;
    // Changing content everywhere, so the encoder has something to send.
    ctx.fillStyle = `hsl(${(frame * 7) % 360} 60% 45%)`;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    for (let i = 0; i < 40; i++) {
      ctx.fillStyle = `hsl(${(frame * 13 + i * 37) % 360} 80% 60%)`;
      ctx.fillRect((frame * 5 + i * 53) % canvas.width, (i * 29 + frame * 3) % canvas.height, 40, 40);
    }
  }, 33);
  const video = canvas.captureStream(30).getVideoTracks()[0]!;
  const audioCtx = new AudioContext();
  const osc = audioCtx.createOscillator();
  const gain = audioCtx.createGain();
  gain.gain.value = 0.05;
  const dest = audioCtx.createMediaStreamDestination();
  osc.connect(gain).connect(dest);
  osc.start();
  const audio = dest.stream.getAudioTracks()[0]!;
  return {
    audio,
    video,
    stop() {
      window.clearInterval(timer);
      video.stop();
      audio.stop();
      osc.stop();
      void audioCtx.close();
    },
  };
}
