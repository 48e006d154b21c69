// Route filters: what a `<name:filter>` group must match, and what its value becomes.
/** Converts a matched path segment into the value handlers receive. */
export type FilterConverter = (value: string) => unknown;

/** A route filter: the regular expression a group must match and its converter. */
export interface RouteFilter {
  /** Regular expression source (without anchors). */
  regex: string;
  /** Converter; the matched string is kept when absent. */
  convert?: FilterConverter;
}

const uuidConvert: FilterConverter = (value) => value.toLowerCase();

/** The built-in filters (`int`, `float`, `word`, `hex`, `uuid`). */
export function builtinFilters(): Map<string, RouteFilter> {
  return new Map<string, RouteFilter>([
    ['int', { regex: '-?\\d+', convert: (value) => Number.parseInt(value, 10) }],
    ['float', { regex: '-?\\d+(?:\\.\\d+)?', convert: Number }],
    ['word', { regex: '[\\p{L}\\p{M}\\p{N}_]+' }],
    ['hex', { regex: '[0-9a-fA-F]+' }],
    [
      'uuid',
      {
        regex: '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}',
        convert: uuidConvert,
      },
    ],
  ]);
}
