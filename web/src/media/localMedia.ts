// Own camera and microphone: off by default, switched on by the user,
// device choice, and errors in terms the UI can translate.

import { batch, signal, type ReadonlySignal } from "@preact/signals";

import { MicLevelMeter } from "./micLevel";

export type DeviceKind = "camera" | "microphone";

/** Why a device could not be switched on. */
export type MediaErrorKind = "denied" | "notFound" | "inUse" | "insecure" | "unknown";

export interface MediaError {
  device: DeviceKind;
  kind: MediaErrorKind;
}

export interface DeviceOption {
  deviceId: string;
  label: string;
}

// 720p is the top simulcast layer; the lower two are scaled from it.
const VIDEO_CONSTRAINTS: MediaTrackConstraints = {
  width: { ideal: 1280 },
  height: { ideal: 720 },
  frameRate: { ideal: 24, max: 30 },
};
const AUDIO_CONSTRAINTS: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

export class LocalMedia {
  private readonly _micTrack = signal<MediaStreamTrack | null>(null);
  private readonly _camTrack = signal<MediaStreamTrack | null>(null);
  private readonly _mics = signal<readonly DeviceOption[]>([]);
  private readonly _cams = signal<readonly DeviceOption[]>([]);
  private readonly _micId = signal("");
  private readonly _camId = signal("");
  private readonly _busy = signal<ReadonlySet<DeviceKind>>(new Set());
  private readonly _error = signal<MediaError | null>(null);

  /** The microphone track while the microphone is on. */
  readonly micTrack: ReadonlySignal<MediaStreamTrack | null> = this._micTrack;
  /** The camera track while the camera is on. */
  readonly camTrack: ReadonlySignal<MediaStreamTrack | null> = this._camTrack;
  readonly microphones: ReadonlySignal<readonly DeviceOption[]> = this._mics;
  readonly cameras: ReadonlySignal<readonly DeviceOption[]> = this._cams;
  /** Chosen device ids ("" = the browser's default). */
  readonly micId: ReadonlySignal<string> = this._micId;
  readonly camId: ReadonlySignal<string> = this._camId;
  /** Devices being switched on right now. */
  readonly busy: ReadonlySignal<ReadonlySet<DeviceKind>> = this._busy;
  readonly error: ReadonlySignal<MediaError | null> = this._error;
  readonly micLevel = new MicLevelMeter();

  private readonly onDeviceChange = () => void this.refreshDevices();

  constructor() {
    navigator.mediaDevices?.addEventListener("devicechange", this.onDeviceChange);
    void this.refreshDevices();
  }

  toggle(device: DeviceKind): Promise<void> {
    return this.track(device) === null ? this.switchOn(device) : Promise.resolve(this.switchOff(device));
  }

  /** Chooses a device; re-acquires it if it is on. */
  async select(device: DeviceKind, deviceId: string): Promise<void> {
    (device === "camera" ? this._camId : this._micId).value = deviceId;
    if (this.track(device) !== null) await this.switchOn(device);
  }

  switchOff(device: DeviceKind): void {
    const track = this.track(device);
    if (track === null) return;
    // Stopping the track switches the camera light off.
    track.stop();
    this.setTrack(device, null);
  }

  /** Switches both devices off, e.g. on leaving a room. */
  stopAll(): void {
    this.switchOff("camera");
    this.switchOff("microphone");
  }

  dismissError(): void {
    this._error.value = null;
  }

  async switchOn(device: DeviceKind): Promise<void> {
    if (this._busy.value.has(device)) return;
    if (navigator.mediaDevices?.getUserMedia === undefined) {
      this._error.value = { device, kind: "insecure" };
      return;
    }
    this.setBusy(device, true);
    try {
      const track = await this.acquire(device);
      const old = this.track(device);
      this.setTrack(device, track);
      old?.stop();
      this._error.value = null;
      track.addEventListener("ended", () => {
        // The device went away (unplugged, or taken by the system).
        if (this.track(device) === track) this.setTrack(device, null);
      });
      void this.refreshDevices();
    } catch (error) {
      this._error.value = { device, kind: errorKind(error) };
    } finally {
      this.setBusy(device, false);
    }
  }

  private async acquire(device: DeviceKind): Promise<MediaStreamTrack> {
    const chosen = device === "camera" ? this._camId.value : this._micId.value;
    const base = device === "camera" ? VIDEO_CONSTRAINTS : AUDIO_CONSTRAINTS;
    const constraints = (deviceId: string): MediaStreamConstraints => {
      const track = deviceId === "" ? base : { ...base, deviceId: { exact: deviceId } };
      return device === "camera" ? { video: track } : { audio: track };
    };
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia(constraints(chosen));
    } catch (error) {
      // A remembered device that is gone: fall back to the default one.
      if (chosen === "" || !(error instanceof Error) || error.name !== "OverconstrainedError") throw error;
      stream = await navigator.mediaDevices.getUserMedia(constraints(""));
    }
    const track = device === "camera" ? stream.getVideoTracks()[0] : stream.getAudioTracks()[0];
    if (track === undefined) throw new DOMException("no track", "NotFoundError");
    const actual = track.getSettings().deviceId;
    if (actual !== undefined) (device === "camera" ? this._camId : this._micId).value = actual;
    return track;
  }

  private async refreshDevices(): Promise<void> {
    if (navigator.mediaDevices?.enumerateDevices === undefined) return;
    let devices: MediaDeviceInfo[];
    try {
      devices = await navigator.mediaDevices.enumerateDevices();
    } catch {
      return;
    }
    // Without permission the browser lists devices without ids: nothing to choose yet.
    const options = (kind: MediaDeviceKind) =>
      devices
        .filter((d) => d.kind === kind && d.deviceId !== "")
        .map((d) => ({ deviceId: d.deviceId, label: d.label }));
    batch(() => {
      this._cams.value = options("videoinput");
      this._mics.value = options("audioinput");
    });
  }

  private track(device: DeviceKind): MediaStreamTrack | null {
    return device === "camera" ? this._camTrack.value : this._micTrack.value;
  }

  private setTrack(device: DeviceKind, track: MediaStreamTrack | null): void {
    if (device === "camera") {
      this._camTrack.value = track;
    } else {
      this._micTrack.value = track;
      this.micLevel.attach(track);
    }
  }

  private setBusy(device: DeviceKind, busy: boolean): void {
    const next = new Set(this._busy.value);
    if (busy) next.add(device);
    else next.delete(device);
    this._busy.value = next;
  }
}

function errorKind(error: unknown): MediaErrorKind {
  const name = error instanceof Error || error instanceof DOMException ? error.name : "";
  switch (name) {
    case "NotAllowedError":
    case "SecurityError":
      return "denied";
    case "NotFoundError":
    case "OverconstrainedError":
      return "notFound";
    case "NotReadableError":
    case "AbortError":
      return "inUse";
    default:
      return "unknown";
  }
}
