/** What nodes see of the alert engine (server/alerts/alert-engine.ts implements it). */
import type { AlertInput, AlertRule } from './alert-rule.ts';
import type { Alert } from './alert-schemas.ts';

/** A change of an alert's state, emitted after it is committed. */
export interface AlertTransition {
  transition: 'raised' | 'acknowledged' | 'cleared';
  alert: Alert;
}

/** Receives transitions; a throw is logged and does not undo the transition or stop other listeners. */
export type AlertTransitionListener = (transition: AlertTransition) => void;

/** A rule being evaluated, as its node holds it. */
export interface AlertRuleRun {
  readonly rule: AlertRule;
  /** Resolves once the rule has read its open alerts (messages judged before then wait for it). */
  readonly ready: Promise<void>;
  /**
   * Judges one device message. Messages of other kinds, of other products than the rule's, or without the rule's
   * property are ignored. Transitions it causes reach the rule's listener once they are committed, in the order of
   * the messages that caused them.
   */
  evaluate(input: AlertInput): void;
  /** The rule's open alerts by state. */
  openCounts(): { active: number; acknowledged: number };
  /** Stops the rule's timers and its listener; its open alerts stay open. */
  stop(): void;
}

/**
 * What the `alert` node uses (`services.alerts`): start evaluating its rule, with a listener for the rule's alerts'
 * transitions, including those an operator causes through the REST API.
 */
export interface AlertService {
  /**
   * Starts a rule, replacing a running rule with the same id (a redeploy). Throws {@link AlertRuleError} when the
   * rule cannot be evaluated.
   */
  startRule(rule: AlertRule, onTransition: AlertTransitionListener): AlertRuleRun;
}
