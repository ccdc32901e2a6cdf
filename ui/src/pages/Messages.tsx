// The SMS log: failed messages first, then the rest, newest first, with attempts and errors; paged on the server.
import { get, query } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { href, navigate, type PageProps } from '../router.ts';
import { PagedList, statusTone, Tag, type Page } from '../ui.tsx';

export interface Message {
  id: string;
  customerId: number | null;
  phone: string;
  /** one-time codes masked; null for a message stored before 0.2 */
  text: string | null;
  mailing: string | null;
  connection: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  failedAt: string | null;
}

const STATUSES = ['failed', 'queued', 'sending', 'sent', 'delivered'];

/** A page of the SMS log from the server. */
export const loadMessages = (filters: Record<string, string | number>, before: Page<Message>['next']) =>
  get<Page<Message>>(`/api/admin/messages${query({ ...filters, before, limit: 50 })}`);

export function MessagesPage({ params }: PageProps) {
  const { t, dateTime } = useI18n();
  const status = params.get('status') ?? '';
  return (
    <div className="page">
      <h1>{t('messages')}</h1>
      <div className="filters">
        <label>
          {t('status')}
          <select value={status} onChange={(e) => navigate('/messages', { status: e.target.value })}>
            <option value="">{t('failedFirst')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(s)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <PagedList<Message>
        className="messages"
        deps={[status]}
        load={(before) => loadMessages(status ? { status } : { order: 'failedFirst' }, before)}
        rowKey={(m) => m.id}
        rowClass={(m) => (m.status === 'failed' ? 'row-bad' : '')}
        columns={[
          { title: t('when'), cell: (m) => dateTime(m.createdAt) },
          { title: t('status'), cell: (m) => <Tag tone={statusTone(m.status)}>{t(m.status)}</Tag> },
          { title: t('phone'), cell: (m) => m.phone },
          { title: t('mailing'), cell: (m) => <span title={m.text ?? undefined}>{m.mailing ?? '—'}</span> },
          { title: t('attempts'), cell: (m) => m.attempts, className: 'num' },
          { title: t('error'), cell: (m) => m.lastError ?? '', className: 'small' },
          { title: t('guest'), cell: (m) => (m.customerId ? <a href={href(`/guests/${m.customerId}`)}>#{m.customerId}</a> : '—') },
        ]}
      />
    </div>
  );
}
