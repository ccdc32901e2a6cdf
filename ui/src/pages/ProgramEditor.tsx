// The loyalty program in forms: each promotion's rate and the SMS texts, edited on the stored project and proposed
// as a whole file through the same plan, effect and apply as an uploaded one (`onPropose`). The server decides who
// may apply what (change-scope.ts): a marketer's edit of a code's text is refused there.
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n.tsx';

type Entity = Record<string, unknown>;
type ProjectFile = Record<string, unknown>;

interface Promotion extends Entity {
  systemName: string;
  name: string;
  kind: string;
  percent?: number;
  amount?: number;
}
interface Mailing extends Entity {
  systemName: string;
  name: string;
  template: string;
}

export function ProgramEditor({ project, onPropose }: { project: ProjectFile; onPropose: (content: string) => void }) {
  const { t } = useI18n();
  const [promotions, setPromotions] = useState(() => structuredClone(project.promotions as Promotion[]));
  const [mailings, setMailings] = useState(() => structuredClone(project.mailings as Mailing[]));

  const setRate = (index: number, field: 'percent' | 'amount', value: string) =>
    setPromotions(promotions.map((promotion, i) => (i === index ? { ...promotion, [field]: value === '' ? undefined : Number(value) } : promotion)));
  const setTemplate = (index: number, template: string) => setMailings(mailings.map((mailing, i) => (i === index ? { ...mailing, template } : mailing)));
  const propose = (event: FormEvent) => {
    event.preventDefault();
    onPropose(JSON.stringify({ ...project, promotions, mailings }, null, 2));
  };

  return (
    <form className="program-editor" onSubmit={propose}>
      <h3>{t('promotions')}</h3>
      <table className="list">
        <thead>
          <tr>
            <th>{t('promotion')}</th>
            <th>{t('rate')}</th>
          </tr>
        </thead>
        <tbody>
          {promotions.map((promotion, index) => {
            const field = promotion.amount !== undefined ? 'amount' : 'percent';
            return (
              <tr key={promotion.systemName} data-promotion={promotion.systemName}>
                <td>
                  {promotion.name} <code className="muted">{promotion.systemName}</code>
                  <div className="muted">{t(`promotionKind.${promotion.kind}`)}</div>
                </td>
                <td>
                  <input
                    name={`rate-${promotion.systemName}`}
                    type="number"
                    min="0"
                    step="any"
                    aria-label={`${promotion.name}: ${t(field === 'amount' ? 'amountRub' : 'percentRate')}`}
                    value={promotion[field] ?? ''}
                    onChange={(event) => setRate(index, field, event.target.value)}
                  />{' '}
                  {field === 'amount' ? '₽' : '%'}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h3>{t('smsTexts')}</h3>
      {mailings.map((mailing, index) => (
        <label key={mailing.systemName} className="template" data-mailing={mailing.systemName}>
          {mailing.name} <code className="muted">{mailing.systemName}</code>
          <textarea name={`template-${mailing.systemName}`} rows={2} value={mailing.template} onChange={(event) => setTemplate(index, event.target.value)} />
          <span className="muted">
            {mailing.template.length} {t('characters')}
          </span>
        </label>
      ))}
      <button type="submit">{t('proposeChanges')}</button>
    </form>
  );
}
