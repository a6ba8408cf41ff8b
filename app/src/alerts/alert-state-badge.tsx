import { Badge, type Tone } from '../ui/badge.tsx';
import { stateLabel, type AlertState } from './alert-types.ts';

/**
 * The state of an alert. Its colours stay clear of the severity colours (red, amber, blue) so the two badges side
 * by side never read as one; each also carries an icon and the word.
 */
const looks: Record<AlertState, { tone: Tone; icon: string }> = {
  active: { tone: 'violet', icon: 'fa-bolt' },
  acknowledged: { tone: 'neutral', icon: 'fa-eye' },
  cleared: { tone: 'green', icon: 'fa-check' },
};

export function AlertStateBadge({ state }: { state: AlertState }) {
  const look = looks[state] ?? { tone: 'neutral' as Tone, icon: 'fa-question' };
  return (
    <Badge tone={look.tone}>
      <i aria-hidden className={`fa ${look.icon}`} />
      {stateLabel(state)}
    </Badge>
  );
}
