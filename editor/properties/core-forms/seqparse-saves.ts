/**
 * What Node-RED's editor writes on saving a sequence, parser or storage form besides the fields a user edited (its
 * `oneditsave` and the in-place upgrades of its `oneditprepare`): each is a core form's `save`, run on every edit.
 * Browser-safe and pure.
 */
type Node = Readonly<Record<string, unknown>>;

const truthy = (value: unknown) => value === true || value === 'true';

/**
 * Join: every input of its form holds a value, so the reduce fields are written as text (the initial value typed as
 * a number once the reduce mode shows), and `accumulate` as a boolean, cleared in automatic mode and unless the join
 * builds an object.
 */
export function joinSave(node: Node): Record<string, unknown> {
  const mode = node['mode'] ?? 'auto';
  const build = node['build'] ?? 'object';
  return {
    accumulate: mode !== 'auto' && (build === 'object' || build === 'merged') && truthy(node['accumulate']),
    reduceExp: node['reduceExp'] ?? '',
    reduceInit: node['reduceInit'] ?? '',
    reduceInitType: mode === 'reduce' ? node['reduceInitType'] || 'num' : (node['reduceInitType'] ?? ''),
    reduceFixup: node['reduceFixup'] ?? '',
  };
}

/** Batch: the topic list is saved in concatenate mode only, an empty list in the others. */
export function batchSave(node: Node): Record<string, unknown> {
  return (node['mode'] ?? 'count') === 'concat' ? {} : { topics: [] };
}

/** CSV: older nodes' header flag becomes a choice, and numbers are parsed and no line skipped unless said otherwise. */
export function csvSave(node: Node): Record<string, unknown> {
  return {
    ...(typeof node['hdrout'] === 'boolean' ? { hdrout: node['hdrout'] ? 'all' : 'none' } : {}),
    ...(node['strings'] === undefined ? { strings: true } : {}),
    ...(node['skip'] === undefined ? { skip: 0 } : {}),
  };
}

/** json, xml, yaml: older nodes have no property and read `payload`, which the form writes. */
export function parserPropertySave(node: Node): Record<string, unknown> {
  return node['property'] === undefined ? { property: 'payload' } : {};
}

/**
 * File nodes saved before filenames were typed: an empty name meant msg.filename, a `${VAR}` name an environment
 * variable, anything else a path.
 */
export function fileNameSave(node: Node): Record<string, unknown> {
  if (node['filenameType'] !== undefined) return {};
  const filename = typeof node['filename'] === 'string' ? node['filename'] : '';
  if (filename === '') return { filename: 'filename', filenameType: 'msg' };
  const env = /^\$\{([^}]+)\}$/.exec(filename);
  return env ? { filename: env[1], filenameType: 'env' } : { filenameType: 'str' };
}
