// Segments with their sizes; scenarios with their trigger, branches and recent runs.
import type { PageProps } from '../App.tsx';
import { get } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { href } from '../router.ts';
import { ErrorBox, Json, Loading, Section, statusTone, Tag, useLoad } from '../ui.tsx';

export function SegmentsPage(_: PageProps) {
  const { t, number } = useI18n();
  const { data, error } = useLoad(
    () => get<{ membershipRecorded: boolean; items: { systemName: string; name: string; match: string; conditions: unknown[]; size: number | null }[] }>('/api/admin/segments'),
    [],
  );
  return (
    <div className="page">
      <h1>{t('segments')}</h1>
      <ErrorBox error={error} />
      <Loading when={!data && !error}>
        {data && !data.membershipRecorded && <p className="muted">{t('membershipNotRecorded')}</p>}
        <table className="list">
          <thead>
            <tr>
              <th>{t('segments')}</th>
              <th>{t('size')}</th>
              <th>{t('conditions')}</th>
            </tr>
          </thead>
          <tbody>
            {data?.items.map((segment) => (
              <tr key={segment.systemName}>
                <td>
                  <b>{segment.name}</b>
                  <div className="muted small">
                    <code>{segment.systemName}</code>
                  </div>
                </td>
                <td className="num big">{segment.size === null ? '—' : number(segment.size)}</td>
                <td>
                  <span className="muted small">{segment.match}</span>
                  <Json value={segment.conditions} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
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
                  <table className="list">
                    <tbody>
                      {scenario.recentRuns.map((run) => (
                        <tr key={run.id}>
                          <td>{dateTime(run.at)}</td>
                          <td>{run.customerId ? <a href={href(`/guests/${run.customerId}`)}>#{run.customerId}</a> : '—'}</td>
                          <td>
                            <Tag tone={statusTone(run.status)}>{run.status}</Tag>
                          </td>
                          <td>{run.branch ?? ''}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </div>
            </div>
          </Section>
        ))}
      </Loading>
    </div>
  );
}
