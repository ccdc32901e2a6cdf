// Segments with their sizes; scenarios with their trigger, branches and recent runs.
import { get } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { href, type PageProps } from '../router.ts';
import { ErrorBox, Json, Loading, Section, statusTone, Table, Tag, useLoad } from '../ui.tsx';

interface SegmentList {
  lastRecalculation: { reason: 'daily' | 'definitions' | 'manual'; startedAt: string; finishedAt: string | null; coversCurrentDefinitions: boolean } | null;
  items: { systemName: string; name: string; match: string; conditions: unknown[]; size: number }[];
}

export function SegmentsPage(_: PageProps) {
  const { t, number, dateTime } = useI18n();
  const { data, error } = useLoad(() => get<SegmentList>('/api/admin/segments'), []);
  const last = data?.lastRecalculation;
  return (
    <div className="page">
      <h1>{t('segments')}</h1>
      <ErrorBox error={error} />
      <Loading when={!data && !error}>
        {data && (
          <p className="muted">
            {last ? `${t('lastRecalculation')}: ${dateTime(last.finishedAt ?? last.startedAt)} (${t(`recalculation_${last.reason}`)}). ${t('sizesKeptCurrent')}` : t('notRecalculatedYet')}
            {last && !last.coversCurrentDefinitions ? ` ${t('definitionsChangedSince')}` : ''}
          </p>
        )}
        <Table
          rows={data?.items ?? []}
          rowKey={(segment) => segment.systemName}
          columns={[
            {
              title: t('segments'),
              cell: (segment) => (
                <>
                  <b>{segment.name}</b>
                  <div className="muted small">
                    <code>{segment.systemName}</code>
                  </div>
                </>
              ),
            },
            { title: t('size'), cell: (segment) => number(segment.size), className: 'num big' },
            {
              title: t('conditions'),
              cell: (segment) => (
                <>
                  <span className="muted small">{segment.match}</span>
                  <Json value={segment.conditions} />
                </>
              ),
            },
          ]}
        />
      </Loading>
    </div>
  );
}

interface Scenario {
  systemName: string;
  name: string;
  transactional: boolean;
  trigger: unknown;
  branches: unknown[];
  recentRuns: { id: number; customerId: number | null; event: string; status: string; branch: string | null; at: string }[];
}

export function ScenariosPage(_: PageProps) {
  const { t, dateTime } = useI18n();
  const { data, error } = useLoad(() => get<{ items: Scenario[] }>('/api/admin/scenarios?runs=10'), []);
  return (
    <div className="page">
      <h1>{t('scenarios')}</h1>
      <ErrorBox error={error} />
      <Loading when={!data && !error}>
        {data?.items.map((scenario) => (
          <Section key={scenario.systemName} title={scenario.name} actions={<code>{scenario.systemName}</code>}>
            <div className="grid2">
              <div>
                <h4>{t('trigger')}</h4>
                <Json value={scenario.trigger} />
                <details>
                  <summary>{t('branch')}</summary>
                  <Json value={scenario.branches} />
                </details>
              </div>
              <div>
                <h4>{t('recentRuns')}</h4>
                {scenario.recentRuns.length === 0 ? (
                  <p className="muted">{t('noRuns')}</p>
                ) : (
                  <Table
                    rows={scenario.recentRuns}
                    rowKey={(run) => run.id}
                    columns={[
                      { cell: (run) => dateTime(run.at) },
                      { cell: (run) => (run.customerId ? <a href={href(`/guests/${run.customerId}`)}>#{run.customerId}</a> : '—') },
                      { cell: (run) => <Tag tone={statusTone(run.status)}>{run.status}</Tag> },
                      { cell: (run) => run.branch ?? '' },
                    ]}
                  />
                )}
              </div>
            </div>
          </Section>
        ))}
      </Loading>
    </div>
  );
}
