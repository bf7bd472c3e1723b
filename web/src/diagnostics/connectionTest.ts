// The connection test: devices, browser, and a loopback call through the
// SFU over UDP, over TCP and through the TURN server. The result is a plain
// JSON object (`Diagnosis`) that the page explains and that can be attached
// to a helpdesk request; docs/connection-test.md says what each result means.

import { isChromiumBased } from "../app/browser";
import { loopback, type CheckResult } from "./loopback";
import type { Transport } from "./sdp";

export type DeviceState = "granted" | "denied" | "missing" | "error";

/** The overall finding, most important first. */
export type Verdict = "ok" | "udpBlocked" | "turnOnly" | "blocked";

/** Something to improve although calls work. */
export type Warning = "highLatency" | "lowBandwidth" | "packetLoss" | "noCamera" | "noMicrophone" | "notChromium";

export interface Diagnosis {
  version: 1;
  /** ISO time of the test. */
  at: string;
  browser: { chromium: boolean; userAgent: string };
  devices: { camera: DeviceState; microphone: DeviceState };
  checks: CheckResult[];
  /** The server's media ports, as it named them. */
  ports: { udp: number[]; tcp: number[] } | null;
  verdict: Verdict;
  warnings: Warning[];
}

export type Progress = "devices" | Transport | "done";

const HIGH_RTT_MS = 250;
const LOW_KBPS = 250;
const HIGH_LOSS_PCT = 5;

async function deviceState(nav: Navigator, kind: "video" | "audio"): Promise<DeviceState> {
  if (nav.mediaDevices?.getUserMedia === undefined) return "error";
  try {
    const stream = await nav.mediaDevices.getUserMedia(kind === "video" ? { video: true } : { audio: true });
    for (const t of stream.getTracks()) t.stop();
    return "granted";
  } catch (e) {
    const name = e instanceof DOMException ? e.name : "";
    if (name === "NotAllowedError" || name === "SecurityError") return "denied";
    if (name === "NotFoundError" || name === "OverconstrainedError") return "missing";
    return "error";
  }
}

export function verdictOf(checks: readonly CheckResult[]): Verdict {
  const ok = (t: Transport) => checks.some((c) => c.transport === t && c.ok);
  if (ok("udp")) return "ok";
  if (ok("tcp")) return "udpBlocked";
  if (ok("turn")) return "turnOnly";
  return "blocked";
}

export function warningsOf(d: Pick<Diagnosis, "checks" | "devices" | "browser">): Warning[] {
  const w: Warning[] = [];
  const best = d.checks.find((c) => c.ok);
  if (best?.rttMs !== undefined && best.rttMs > HIGH_RTT_MS) w.push("highLatency");
  if (best?.kbps !== undefined && best.kbps < LOW_KBPS) w.push("lowBandwidth");
  if (best?.lossPct !== undefined && best.lossPct > HIGH_LOSS_PCT) w.push("packetLoss");
  if (d.devices.camera !== "granted") w.push("noCamera");
  if (d.devices.microphone !== "granted") w.push("noMicrophone");
  if (!d.browser.chromium) w.push("notChromium");
  return w;
}

export async function runConnectionTest(win: Window, url: string, onProgress: (p: Progress) => void): Promise<Diagnosis> {
  onProgress("devices");
  const camera = await deviceState(win.navigator, "video");
  const microphone = await deviceState(win.navigator, "audio");
  const checks: CheckResult[] = [];
  let ports: Diagnosis["ports"] = null;
  for (const transport of ["udp", "tcp", "turn"] as const) {
    onProgress(transport);
    const outcome = await loopback(url, transport, win.document);
    checks.push(outcome.result);
    ports ??= outcome.ports;
  }
  onProgress("done");
  const base = {
    browser: { chromium: isChromiumBased(win.navigator), userAgent: win.navigator.userAgent },
    devices: { camera, microphone },
    checks,
  };
  return { version: 1, at: new Date().toISOString(), ...base, ports, verdict: verdictOf(checks), warnings: warningsOf(base) };
}

const VERDICTS: readonly Verdict[] = ["ok", "udpBlocked", "turnOnly", "blocked"];
const WARNINGS: readonly Warning[] = ["highLatency", "lowBandwidth", "packetLoss", "noCamera", "noMicrophone", "notChromium"];
const DEVICE_STATES: readonly DeviceState[] = ["granted", "denied", "missing", "error"];
const TRANSPORTS: readonly Transport[] = ["udp", "tcp", "turn"];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const optionalNumber = (v: unknown) => v === undefined || (typeof v === "number" && Number.isFinite(v));
const optionalString = (v: unknown) => v === undefined || typeof v === "string";
const ports = (v: unknown) => Array.isArray(v) && v.every((p) => typeof p === "number");

/**
 * A result as this client would make it, or null. Results come back from
 * storage and from the server (anyone can send anything as a request's
 * attachment), so the staff's view checks every field before showing one.
 */
export function asDiagnosis(v: unknown): Diagnosis | null {
  if (!isObject(v) || v.version !== 1 || typeof v.at !== "string") return null;
  const { browser, devices, checks, verdict, warnings } = v;
  if (!isObject(browser) || typeof browser.chromium !== "boolean" || typeof browser.userAgent !== "string") return null;
  if (!isObject(devices) || !DEVICE_STATES.includes(devices.camera as DeviceState) || !DEVICE_STATES.includes(devices.microphone as DeviceState)) return null;
  if (!Array.isArray(checks) || !checks.every((c) =>
    isObject(c) && TRANSPORTS.includes(c.transport as Transport) && typeof c.ok === "boolean"
    && optionalString(c.error) && optionalString(c.path)
    && optionalNumber(c.rttMs) && optionalNumber(c.kbps) && optionalNumber(c.lossPct))) return null;
  if (!VERDICTS.includes(verdict as Verdict)) return null;
  if (!Array.isArray(warnings) || !warnings.every((w) => WARNINGS.includes(w as Warning))) return null;
  if (v.ports !== null && !(isObject(v.ports) && ports(v.ports.udp) && ports(v.ports.tcp))) return null;
  return v as unknown as Diagnosis;
}

const STORAGE_KEY = "tafelrunde.diagnosis";

/** Keeps the last result for the helpdesk form of this tab. */
export function saveDiagnosis(storage: Storage | null, d: Diagnosis): void {
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(d));
  } catch {
    // Not kept: the form then offers no attachment.
  }
}

export function loadDiagnosis(storage: Storage | null): Diagnosis | null {
  try {
    const text = storage?.getItem(STORAGE_KEY) ?? null;
    if (text === null) return null;
    return asDiagnosis(JSON.parse(text));
  } catch {
    return null;
  }
}
