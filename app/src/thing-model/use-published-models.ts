import { useEffect, useRef, useState } from 'react';
import type { TslDocument } from '../../../domain/thing-model/tsl-types.ts';
import { apiRequest } from '../api.ts';

/** A product's published thing model; null when it has none (or it cannot be read: the screen shows raw values then). */
async function publishedModel(productKey: string): Promise<TslDocument | null> {
  const path = `/products/${encodeURIComponent(productKey)}/thing-model`;
  try {
    const summary = await apiRequest<{ published: { version: number } | null }>('GET', path);
    return summary.published ? await apiRequest<TslDocument>('GET', `${path}/versions/${summary.published.version}`) : null;
  } catch {
    return null;
  }
}

/**
 * The published thing models of the products named, read once each while the screen is open (a list of alerts of
 * several products, say), so values can be written in their thing model's words; a product not read yet is missing.
 */
export function usePublishedModels(productKeys: readonly string[]): ReadonlyMap<string, TslDocument | null> {
  const [models, setModels] = useState<ReadonlyMap<string, TslDocument | null>>(new Map());
  // Asked for already (read or on the way): each product is read once.
  const asked = useRef(new Set<string>());
  const wanted = [...new Set(productKeys)].sort().join('\n');
  useEffect(() => {
    const missing = wanted.split('\n').filter((key) => key !== '' && !asked.current.has(key));
    for (const key of missing) asked.current.add(key);
    if (missing.length === 0) return;
    void Promise.all(missing.map(async (key) => [key, await publishedModel(key)] as const)).then((read) => {
      setModels((held) => new Map([...held, ...read]));
    });
  }, [wanted]);
  return models;
}
