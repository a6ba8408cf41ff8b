/**
 * The few globals that both Node and browsers define and that domain code uses. The domain build sees no Node and no
 * DOM types, so code here cannot reach for anything only one side has; this names what both sides share, and only
 * the members used. (The server and web builds do not include this file: they have the full declarations.)
 */
declare class URL {
  constructor(url: string, base?: string);
  readonly protocol: string;
  readonly username: string;
  readonly password: string;
}
