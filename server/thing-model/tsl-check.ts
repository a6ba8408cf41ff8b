import { ApiError } from '../errors.ts';
import { checkTsl, type TslProblem } from '../../domain/thing-model/tsl-problems.ts';
import type { TslDocument } from '../../domain/thing-model/tsl-types.ts';

export * from '../../domain/thing-model/tsl-problems.ts';

/**
 * Thrown where a TSL document must be valid (import, compile). An {@link ApiError}, so a REST route that lets it
 * escape answers 422 `tsl_invalid` with every problem in `details.problems`.
 */
export class TslInvalidError extends ApiError {
  override name = 'TslInvalidError';
  constructor(readonly problems: TslProblem[]) {
    const first = problems[0];
    super(
      422,
      'tsl_invalid',
      first === undefined
        ? 'The thing model is invalid.'
        : `The thing model is invalid: ${first.path || '/'}: ${first.message}` +
            (problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : ''),
      { problems },
    );
  }
}

/** Narrows `doc` to a {@link TslDocument}, or throws {@link TslInvalidError} listing every problem. */
export function assertTsl(doc: unknown): asserts doc is TslDocument {
  const problems = checkTsl(doc);
  if (problems.length > 0) throw new TslInvalidError(problems);
}
