/**
 * Publishing a versioned product document (thing model, codec): the editor's unsaved text is saved as the draft first,
 * then the draft becomes the next version. One path, so both editors save and publish the same way.
 */
import { apiRequest } from '../api.ts';

/**
 * Saves `unsaved.body` as the draft at `base` (calling `onSaved` once it is), when given, then publishes the draft;
 * answers the new version's number. A refusal of either step throws the API's error.
 */
export async function publishDraft(base: string, unsaved: { body: unknown; onSaved(): void } | null): Promise<number> {
  if (unsaved) {
    await apiRequest('PUT', `${base}/draft`, unsaved.body);
    unsaved.onSaved();
  }
  return (await apiRequest<{ version: number }>('POST', `${base}/publish`)).version;
}
