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

const STATE_TONE: Record<AlertRuleSummary['state'], Tone> = { running: 'green', disabled: 'neutral', stopped: 'red' };

export function AlertRulesPage() {
  const rules = useApi<{ items: AlertRuleSummary[] }>('/alerts/rules');
  const products = useApi<{ items: { productKey: string; name: string }[] }>('/products');
  // Open counts follow the alerts as they are raised and cleared.
  useLiveAlerts(() => void rules.reload());
  const productName = (key: string) => products.data?.items.find((p) => p.productKey === key)?.name ?? key;
  const back = <Link to="/alerts" className="text-sky-800 hover:underline"><i aria-hidden className="fa fa-angle-left" /> Alerts</Link>;

  return (
    <Page title="Alert rules" back={back} subtitle="The alert nodes of the deployed flows: what each watches, when it raises and clears, and what it has open.">
      <ErrorNote error={rules.error} />
      {rules.loading ? (
        <Loading what="alert rules" />
      ) : !rules.data ? null : rules.data.items.length === 0 ? (
        <EmptyState title="No alert rules" action={<Link to="/flows" className={LINK_BUTTON}><i aria-hidden className="fa fa-sitemap" /> Open the flows</Link>}>
          An alert rule is an alert node in a flow: drag one from the palette&apos;s “alerts” group, wire device messages into it and deploy.
        </EmptyState>
      ) : (
        <Table label="Alert rules">
          <thead>
            <tr>
              <Th>Rule</Th>
              <Th>Flow</Th>
              <Th>Product</Th>
              <Th>Raises and clears</Th>
              <Th>State</Th>
              <Th>Open alerts</Th>
              <Th><span className="sr-only">Editor</span></Th>
            </tr>
          </thead>
          <TBody>
            {rules.data.items.map((rule) => (
              <tr key={rule.nodeId} aria-label={rule.name || rule.nodeId}>
                <Td>
                  <div className="flex flex-wrap items-center gap-1.5">
                    <SeverityBadge severity={rule.severity} />
                    <span className="font-medium">{rule.name || <span className="text-slate-500">unnamed rule</span>}</span>
                  </div>
                  <code className="font-mono text-xs text-slate-500">{rule.nodeId}</code>
                </Td>
                <Td>
                  {rule.flow.label}
                  {rule.flow.kind === 'subflow' && <Badge className="ml-1.5">subflow</Badge>}
                </Td>
                <Td>{rule.productKey ? productName(rule.productKey) : <span className="text-slate-500">every product</span>}</Td>
                <Td className="max-w-[22rem]">{triggerText(rule.trigger)}</Td>
                <Td>
                  <Badge tone={STATE_TONE[rule.state]}>{rule.state}</Badge>
                  {rule.problem && <p className="mt-1 max-w-[16rem] text-xs text-red-700">{rule.problem}</p>}
                </Td>
                <Td className="tabular-nums">
                  {rule.open.active + rule.open.acknowledged === 0 ? (
                    <span className="text-slate-500">none</span>
                  ) : (
                    <Link to={`/alerts?ruleId=${encodeURIComponent(rule.nodeId)}`} className="text-sky-800 hover:underline">
                      {rule.open.active} active{rule.open.acknowledged > 0 ? `, ${rule.open.acknowledged} acknowledged` : ''}
                    </Link>
                  )}
                </Td>
                <Td>
                  <Link to={`/flows?node=${encodeURIComponent(rule.nodeId)}`} className="whitespace-nowrap text-sky-800 hover:underline">
                    <i aria-hidden className="fa fa-sitemap" /> Open in the editor
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
