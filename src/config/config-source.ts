import { visible } from './visible-name.js';

/** Where a config value came from; every value of the effective config has one. */
export type ConfigSource =
  | { readonly kind: 'default' }
  | { readonly kind: 'file'; readonly file: string }
  | { readonly kind: 'env'; readonly name: string }
  | { readonly kind: 'flag'; readonly flag: string };

export const DEFAULT_SOURCE: ConfigSource = { kind: 'default' };

/** `file ./bot.yaml`, `env GLOBAL_TRADING`, `flag --set trading.symbols`, `default`. */
export function describeSource(source: ConfigSource): string {
  switch (source.kind) {
    case 'default':
      return 'default';
    case 'file':
      return `file ${visible(source.file)}`;
    case 'env':
      return `env ${visible(source.name)}`;
    case 'flag':
      return `flag ${source.flag}`;
  }
}

/** A value as given by one source, before it is parsed: a file's value, an env variable's or a flag's text. */
export interface RawSetting {
  readonly path: string;
  readonly raw: unknown;
  readonly source: ConfigSource;
}
