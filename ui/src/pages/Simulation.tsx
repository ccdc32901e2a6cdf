// "See the effect" of a proposed project file before it is applied (POST /api/admin/project/simulate): the paid
// orders of the last days priced by the current and the proposed program, the guests whose level would change,
// and a sample bill side by side. Nothing is written.
import { useState, type FormEvent } from 'react';
import { post } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { ErrorBox, Tag } from '../ui.tsx';

interface Totals {
  discount: number;
  pointsEarned: number;
  pointsSpent: number;
}
interface SampleGuest {
  id: number;
  name: string | null;
}
interface BillSide {
  level: string | null;
  subtotal: number;
  discount: number;
  pointsSpent: number;
  pointsEarned: number;
  toPay: number;
  lines: { lineNumber: number; productId: string; name: string | null; quantity: number; total: number; discounts: { promotion: string; name: string; amount: number }[]; pointsEarned: number; toPay: number }[];
}
type Simulation =
  | {
      ok: true;
      changed: string[];
      guests: {
        segments: { segment: string; entering: number; leaving: number; enteringSample: SampleGuest[]; leavingSample: SampleGuest[] }[];
        levels: { from: string | null; to: string | null; guests: number; sample: SampleGuest[] }[];
      };
      replay: { days: number; orders: number; complete: boolean; current: Totals; proposed: Totals; perDay: { day: string; orders: number; current: Totals; proposed: Totals }[] };
      bill: { current: BillSide; proposed: BillSide } | null;
      durationMs: number;
    }
  | { ok: false; problems: { path: string; message: string }[] };

interface DishRow {
  productId: string;
  quantity: string;
  price: string;
}

const Guests = ({ sample }: { sample: SampleGuest[] }) => (
  <>
    {sample.map((guest, i) => (
      <span key={guest.id}>
        {i > 0 && ', '}
        <a href={`#/guests/${guest.id}`}>{guest.name ?? `#${guest.id}`}</a>
      </span>
    ))}
  </>
);

/** `levels`: the level segments a sample bill may be priced for (RankGold …). */
export function Effect({ content, levels }: { content: string; levels: string[] }) {
  const { t, number, day } = useI18n();
  const [days, setDays] = useState(30);
  const [billFor, setBillFor] = useState(levels[0] ?? '');
  const [dishes, setDishes] = useState<DishRow[]>([{ productId: '', quantity: '1', price: '' }]);
  const [result, setResult] = useState<Simulation | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  const lines = dishes
    .filter((dish) => dish.productId.trim() !== '')
    .map((dish) => ({ productId: dish.productId.trim(), quantity: Number(dish.quantity) || 1, ...(dish.price.trim() === '' ? {} : { price: Number(dish.price) }) }));
  const run = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const bill = lines.length ? { lines, ...(billFor ? { level: billFor } : {}) } : undefined;
      setResult(await post<Simulation>('/api/admin/project/simulate', { content, days, ...(bill ? { bill } : {}) }));
    } catch (failure) {
      setResult(null);
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  };
  const setDish = (index: number, field: keyof DishRow, value: string) => setDishes(dishes.map((dish, i) => (i === index ? { ...dish, [field]: value } : dish)));
  const delta = (proposed: number, current: number) => {
    const difference = proposed - current;
    return <b className={difference === 0 ? 'muted' : difference > 0 ? 'warn' : 'good'}>{`${difference > 0 ? '+' : ''}${number(difference)}`}</b>;
  };

  return (
    <div className="effect">
      <h3>{t('effectTitle')}</h3>
      <p className="muted">{t('effectNothingWritten')}</p>
      <form onSubmit={run} className="effect-form">
        <label>
          {t('replayDays')}{' '}
          <select name="days" value={days} onChange={(event) => setDays(Number(event.target.value))}>
            {[7, 30, 90].map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>{t('sampleBill')}</legend>
          <label>
            {t('billFor')}{' '}
            <select name="billFor" value={billFor} onChange={(event) => setBillFor(event.target.value)}>
              <option value="">{t('nobody')}</option>
              {levels.map((level) => (
                <option key={level} value={level}>
                  {t('levelGuest')} {level}
                </option>
              ))}
            </select>
          </label>
          {dishes.map((dish, index) => (
            <div key={index} className="dish">
              <input name={`dish-${index}`} placeholder={t('dish')} aria-label={t('dish')} value={dish.productId} onChange={(event) => setDish(index, 'productId', event.target.value)} />
              <input name={`quantity-${index}`} type="number" min="0.001" step="any" aria-label={t('quantity')} value={dish.quantity} onChange={(event) => setDish(index, 'quantity', event.target.value)} />
              <input name={`price-${index}`} type="number" min="0" step="any" placeholder={t('priceRub')} aria-label={t('priceRub')} value={dish.price} onChange={(event) => setDish(index, 'price', event.target.value)} />
            </div>
          ))}
          <button type="button" className="link" onClick={() => setDishes([...dishes, { productId: '', quantity: '1', price: '' }])}>
            {t('addDish')}
          </button>
        </fieldset>
        <button type="submit" disabled={busy}>
          {t('seeEffect')}
        </button>
      </form>
      <ErrorBox error={error} />
      {result && !result.ok && (
        <div className="error">
          <b>{t('problems')}</b>
          <ul>
            {result.problems.map((problem, i) => (
              <li key={i}>
                <code>{problem.path}</code> {problem.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {result?.ok && (
        <div className="effect-result">
          <h4>
            {t('replayTitle')}: {result.replay.days} {t('days')}
          </h4>
          {!result.replay.complete && <p className="warn">{t('replayCut')}</p>}
          <table className="list replay-totals">
            <thead>
              <tr>
                <th>{t('replayOrders')}: {number(result.replay.orders)}</th>
                <th>{t('currentProgram')}</th>
                <th>{t('proposedProgram')}</th>
                <th>{t('difference')}</th>
              </tr>
            </thead>
            <tbody>
              {(['discount', 'pointsEarned', 'pointsSpent'] as const).map((key) => (
                <tr key={key} data-total={key}>
                  <td>{t(key === 'discount' ? 'discounts' : key)}</td>
                  <td>{number(result.replay.current[key])}</td>
                  <td>{number(result.replay.proposed[key])}</td>
                  <td>{delta(result.replay.proposed[key], result.replay.current[key])}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {result.replay.perDay.length > 0 && (
            <details className="per-day">
              <summary>{t('perDay')}</summary>
              <table className="list">
                <thead>
                  <tr>
                    <th>{t('date')}</th>
                    <th>{t('replayOrders')}</th>
                    <th>{t('discounts')}</th>
                    <th>{t('pointsEarned')}</th>
                  </tr>
                </thead>
                <tbody>
                  {result.replay.perDay.map((row) => (
                    <tr key={row.day}>
                      <td>{day(row.day)}</td>
                      <td>{number(row.orders)}</td>
                      <td>
                        {number(row.current.discount)} → {number(row.proposed.discount)}
                      </td>
                      <td>
                        {number(row.current.pointsEarned)} → {number(row.proposed.pointsEarned)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          )}

          <h4>{t('levelShifts')}</h4>
          {result.guests.levels.length === 0 ? (
            <p className="muted">{t('nobodyMoves')}</p>
          ) : (
            <ul className="level-shifts">
              {result.guests.levels.map((shift) => (
                <li key={`${shift.from}-${shift.to}`}>
                  <Tag>{shift.from ?? t('none')}</Tag> → <Tag tone="warn">{shift.to ?? t('none')}</Tag> <b>{number(shift.guests)}</b>: <Guests sample={shift.sample} />
                  {shift.guests > shift.sample.length && ' …'}
                </li>
              ))}
            </ul>
          )}
          {result.guests.segments.length > 0 && (
            <p className="segment-shifts">
              {t('segmentShifts')}:{' '}
              {result.guests.segments.map((shift, i) => (
                <span key={shift.segment}>
                  {i > 0 && '; '}
                  <code>{shift.segment}</code> +{number(shift.entering)} {t('entering')}, −{number(shift.leaving)} {t('leaving')}
                </span>
              ))}
            </p>
          )}

          {result.bill && (
            <>
              <h4>{t('sampleBill')}</h4>
              <div className="grid2 sample-bill">
                {(['current', 'proposed'] as const).map((side) => {
                  const bill = result.bill![side];
                  return (
                    <div key={side} data-side={side}>
                      <h5>
                        {t(side === 'current' ? 'currentProgram' : 'proposedProgram')} · {t('level')}: {bill.level ?? t('none')}
                      </h5>
                      <table className="list">
                        <tbody>
                          {bill.lines.map((line) => (
                            <tr key={line.lineNumber}>
                              <td>
                                {line.name ?? line.productId} × {number(line.quantity)}
                                {line.discounts.map((discount) => (
                                  <div key={discount.promotion} className="muted">
                                    {discount.name}: −{number(discount.amount)}
                                  </div>
                                ))}
                              </td>
                              <td>{number(line.toPay)}</td>
                            </tr>
                          ))}
                          <tr>
                            <td>{t('subtotal')}</td>
                            <td>{number(bill.subtotal)}</td>
                          </tr>
                          <tr>
                            <td>{t('discounts')}</td>
                            <td>{number(bill.discount)}</td>
                          </tr>
                          <tr>
                            <td>{t('toPay')}</td>
                            <td data-field="toPay">
                              <b>{number(bill.toPay)}</b>
                            </td>
                          </tr>
                          <tr>
                            <td>{t('pointsEarned')}</td>
                            <td data-field="pointsEarned">{number(bill.pointsEarned)}</td>
                          </tr>
                        </tbody>
                      </table>
                    </div>
                  );
                })}
              </div>
            </>
          )}
          <p className="muted">
            {t('simulatedIn')} {number(result.durationMs / 1000, 1)} s
          </p>
        </div>
      )}
    </div>
  );
}
