/**
 * `/alerts/rules`: every alert rule of the deployed flows at a glance: where it is, what it watches, when it raises
 * and clears, whether it runs, and its open alerts, each with a link that opens the node in the editor.
 */
import { useLiveAlerts } from '../live/device-feed.ts';
import { Link } from '../routing.ts';
import { Badge, SeverityBadge, type Tone } from '../ui/badge.tsx';
import { EmptyState, ErrorNote, Loading } from '../ui/feedback.tsx';
import { Page } from '../ui/page.tsx';
import { Table, TBody, Td, Th } from '../ui/table.tsx';
import { useApi } from '../use-api.ts';
import { LINK_BUTTON } from './alert-action-buttons.tsx';
import { triggerText, type AlertRuleSummary } from './alert-types.ts';
import { t, type AlertsKey } from './alerts.messages.ts';

const STATE_TONE: Record<AlertRuleSummary['state'], Tone> = { running: 'green', disabled: 'neutral', stopped: 'red' };
const STATE_LABEL: Record<AlertRuleSummary['state'], AlertsKey> = { running: 'ruleState.running', disabled: 'ruleState.disabled', stopped: 'ruleState.stopped' };

export function AlertRulesPage() {
  const rules = useApi<{ items: AlertRuleSummary[] }>('/alerts/rules');
  const products = useApi<{ items: { productKey: string; name: string }[] }>('/products');
  // Open counts follow the alerts as they are raised and cleared.
  useLiveAlerts(() => void rules.reload());
  const productName = (key: string) => products.data?.items.find((p) => p.productKey === key)?.name ?? key;
  const back = <Link to="/alerts" className="text-sky-800 hover:underline"><i aria-hidden className="fa fa-angle-left" /> {t('rules.back')}</Link>;

  return (
    <Page title={t('rules.title')} back={back} subtitle={t('rules.subtitle')}>
      <ErrorNote error={rules.error} />
      {rules.loading ? (
        <Loading what={t('rules.loading')} />
      ) : !rules.data ? null : rules.data.items.length === 0 ? (
        <EmptyState title={t('rules.empty')} action={<Link to="/flows" className={LINK_BUTTON}><i aria-hidden className="fa fa-sitemap" /> {t('list.openFlows')}</Link>}>
          {t('rules.emptyHint')}
        </EmptyState>
      ) : (
        <Table label={t('rules.title')}>
          <thead>
            <tr>
              <Th>{t('rules.col.rule')}</Th>
              <Th>{t('rules.col.flow')}</Th>
              <Th>{t('rules.col.product')}</Th>
              <Th>{t('rules.col.trigger')}</Th>
              <Th>{t('rules.col.state')}</Th>
              <Th>{t('rules.col.open')}</Th>
              <Th><span className="sr-only">{t('rules.col.editor')}</span></Th>
            </tr>
          </thead>
          <TBody>
            {rules.data.items.map((rule) => (
              <tr key={rule.nodeId} aria-label={rule.name || rule.nodeId}>
                <Td>
                  <div className="flex flex-wrap items-center gap-1.5">
                    <SeverityBadge severity={rule.severity} />
                    <span className="font-medium" translate={rule.name ? 'no' : undefined}>{rule.name || <span className="text-slate-500">{t('rules.unnamed')}</span>}</span>
                  </div>
                  <code className="font-mono text-xs text-slate-500">{rule.nodeId}</code>
                </Td>
                <Td>
                  <span translate="no">{rule.flow.label}</span>
                  {rule.flow.kind === 'subflow' && <Badge className="ml-1.5">{t('rules.subflow')}</Badge>}
                </Td>
                <Td>{rule.productKey ? productName(rule.productKey) : <span className="text-slate-500">{t('rules.everyProduct')}</span>}</Td>
                <Td className="max-w-[22rem]">{triggerText(rule.trigger)}</Td>
                <Td>
                  <Badge tone={STATE_TONE[rule.state]}>{STATE_LABEL[rule.state] ? t(STATE_LABEL[rule.state]) : rule.state}</Badge>
                  {rule.problem && <p className="mt-1 max-w-[16rem] text-xs text-red-700">{rule.problem}</p>}
                </Td>
                <Td className="tabular-nums">
                  {rule.open.active + rule.open.acknowledged === 0 ? (
                    <span className="text-slate-500">{t('rules.none')}</span>
                  ) : (
                    <Link to={`/alerts?ruleId=${encodeURIComponent(rule.nodeId)}`} className="text-sky-800 hover:underline">
                      {rule.open.acknowledged > 0 ? t('rules.openBoth', { active: rule.open.active, acknowledged: rule.open.acknowledged }) : t('rules.openActive', { active: rule.open.active })}
                    </Link>
                  )}
                </Td>
                <Td>
                  <Link to={`/flows?node=${encodeURIComponent(rule.nodeId)}`} className="whitespace-nowrap text-sky-800 hover:underline">
                    <i aria-hidden className="fa fa-sitemap" /> {t('rules.openInEditor')}
                  </Link>
                </Td>
              </tr>
            ))}
          </TBody>
        </Table>
      )}
    </Page>
  );
}
