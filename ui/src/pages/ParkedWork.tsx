// Parked work: jobs and async calls that used up their attempts (an SMS the gateway would not take, a scenario
// step or a webhook that kept failing), newest parked first, with what, why, how often and when; an owner or a
// marketer puts them back in the queue once the cause is fixed, one by one or all at once.
import { useState } from 'react';
import type { PageProps } from '../router.ts';
import { get, post, query } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { ErrorBox, PagedList, Tag, type Page } from '../ui.tsx';

export interface ParkedWork {
  /** `job-<id>` or `call-<uuid>` */
  id: string;
  queue: 'job' | 'call';
  /** the job's topic, or the async call's operation */
  topic: string;
  what: string;
  /** phones and codes masked by the server */
  lastError: string | null;
  attempts: number;
  queuedAt: string;
  parkedAt: string;
}

const loadParkedWork = (before: Page<ParkedWork>['next']) => get<Page<ParkedWork>>(`/api/admin/jobs${query({ status: 'parked', before, limit: 50 })}`);

export function ParkedWorkPage({ user }: PageProps) {
  const { t, dateTime } = useI18n();
  const mayRetry = user.role !== 'viewer';
  // a retry changes what is parked: the list is read again from its first page
  const [round, setRound] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const retry = async (url: string, done: (answer: { retried: number | true }) => string) => {
    setBusy(true);
    setError(null);
    try {
      setNotice(done(await post<{ retried: number | true }>(url)));
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
      setRound((n) => n + 1);
    }
  };

  return (
    <div className="page parked-work">
      <h1>{t('parkedWork')}</h1>
      <p className="muted">{t('parkedWorkHint')}</p>
      {mayRetry ? (
        <div className="actions filters">
          <button type="button" className="retry-all" disabled={busy} onClick={() => retry('/api/admin/jobs/retry', (answer) => `${t('putBack')}: ${answer.retried}`)}>
            {t('retryAll')}
          </button>
        </div>
      ) : (
        <p className="muted">{t('viewerReadOnly')}</p>
      )}
      {notice && (
        <p className="good" role="status">
          {notice}
        </p>
      )}
      <ErrorBox error={error} />
      <PagedList<ParkedWork>
        className="parked"
        deps={[round]}
        load={loadParkedWork}
        empty={t('nothingParked')}
        rowKey={(work) => work.id}
        rowClass={() => 'row-bad'}
        columns={[
          { title: t('when'), cell: (work) => <span title={`${t('queuedAt')}: ${dateTime(work.queuedAt)}`}>{dateTime(work.parkedAt)}</span> },
          {
            title: t('what'),
            cell: (work) => (
              <>
                <Tag>{work.queue === 'job' ? work.topic : t('asyncCall')}</Tag> {work.what}
              </>
            ),
          },
          { title: t('why'), cell: (work) => work.lastError ?? '—', className: 'small' },
          { title: t('attempts'), cell: (work) => work.attempts, className: 'num' },
          ...(mayRetry
            ? [
                {
                  cell: (work: ParkedWork) => (
                    <button type="button" className="retry" data-id={work.id} disabled={busy} onClick={() => retry(`/api/admin/jobs/${work.id}/retry`, () => `${t('putBack')}: ${work.id}`)}>
                      {t('retry')}
                    </button>
                  ),
                },
              ]
            : []),
        ]}
      />
    </div>
  );
}
