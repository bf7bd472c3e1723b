// Translations: German by default, English second. Every user-visible
// string and every aria-label comes from de.json / en.json.

import { signal, type ReadonlySignal, type Signal } from "@preact/signals";

import de from "./de.json";
import en from "./en.json";

export type Lang = "de" | "en";
export const LANGS: readonly Lang[] = ["de", "en"];
export type MessageKey = keyof typeof de;
export type Params = Readonly<Record<string, string | number>>;

// Both files must have exactly the same keys; this fails to compile otherwise.
type MissingInEn = Exclude<keyof typeof de, keyof typeof en>;
type MissingInDe = Exclude<keyof typeof en, keyof typeof de>;
const sameKeys: [MissingInEn, MissingInDe] extends [never, never] ? true : never = true;
void sameKeys;

const CATALOGS: Readonly<Record<Lang, Readonly<Record<MessageKey, string>>>> = { de, en };
const STORAGE_KEY = "tafelrunde.lang";

export function isLang(value: string | null): value is Lang {
  return value === "de" || value === "en";
}

/** `?lang=` first, then the saved choice, then German. */
export function initialLang(search: string, storage: Storage | null): Lang {
  const fromQuery = new URLSearchParams(search).get("lang");
  if (isLang(fromQuery)) return fromQuery;
  const saved = safeGet(storage, STORAGE_KEY);
  return isLang(saved) ? saved : "de";
}

export class I18n {
  private readonly _lang: Signal<Lang>;
  readonly lang: ReadonlySignal<Lang>;

  constructor(lang: Lang, private readonly storage: Storage | null) {
    this._lang = signal(lang);
    this.lang = this._lang;
  }

  /** Translates a key; `{name}` in the text is replaced by params.name. */
  t = (key: MessageKey, params?: Params): string => {
    const text = CATALOGS[this._lang.value][key];
    if (params === undefined) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = params[name];
      return value === undefined ? whole : String(value);
    });
  };

  /** Switches the language and remembers the choice. */
  setLang(lang: Lang): void {
    this._lang.value = lang;
    try {
      this.storage?.setItem(STORAGE_KEY, lang);
    } catch {
      // Storage may be disabled; the choice then lasts for this page only.
    }
  }
}

export function safeGet(storage: Storage | null, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}
