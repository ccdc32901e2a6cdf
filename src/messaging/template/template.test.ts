import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileTemplate, renderTemplate, RECIPIENT_PARAMETERS, TemplateError, type ParameterSchema } from './index.ts';
import { AppError } from '../../shared/errors.ts';
import { toDecimal, toNumericString } from '../../shared/money.ts';
import { wallClockDate } from '../../shared/time-zone.ts';

const ORDER_PARAMETERS: ParameterSchema = {
  ...RECIPIENT_PARAMETERS,
  Order: { fields: { Lines: { items: { fields: { Name: 'string', Quantity: 'number' } } }, Total: 'number', CreatedAt: 'date' } },
};

function recipient(values: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Recipient: {
      FirstName: 'Анна',
      LastName: 'Смирнова',
      MobilePhone: '79001234567',
      AuthentificationCode: '1234',
      MobilePhoneConfirmationCode: '5678',
      GetBonusPointsAccount: (systemName: string) => (systemName === 'Bonus' ? { Available: 120, Blocked: 30, Total: 150 } : null),
      ...values,
    },
  };
}

function render(source: string, context: Record<string, unknown> = recipient(), parameters: ParameterSchema = ORDER_PARAMETERS): string {
  return renderTemplate(compileTemplate(source, { parameters }), context);
}

function compileError(source: string, parameters: ParameterSchema = RECIPIENT_PARAMETERS): TemplateError {
  try {
    compileTemplate(source, { parameters });
  } catch (error) {
    assert.ok(error instanceof TemplateError, `expected a TemplateError, got ${String(error)}`);
    return error;
  }
  return assert.fail(`template compiled: ${source}`);
}

test('the two iiko SMS templates print the codes', () => {
  const authorization = compileTemplate('Код авторизации: ${Recipient.AuthentificationCode}', { parameters: RECIPIENT_PARAMETERS });
  const confirmation = compileTemplate('Код подтверждения: ${Recipient.MobilePhoneConfirmationCode}', { parameters: RECIPIENT_PARAMETERS });
  assert.equal(renderTemplate(authorization, recipient()), 'Код авторизации: 1234');
  assert.equal(renderTemplate(confirmation, recipient()), 'Код подтверждения: 5678');
});

test('text outside markup is kept as written, including lone $ and @', () => {
  assert.equal(render('Цена $5, почта a@b.ru\nвторая строка'), 'Цена $5, почта a@b.ru\nвторая строка');
});

test('if, else if and else choose the first true branch', () => {
  const source =
    '@{if Recipient.GetBonusPointsAccount("Bonus").Available >= 1000}много@{else if Recipient.GetBonusPointsAccount("Bonus").Available > 0}есть' +
    '@{else}нет@{end if} баллов';
  assert.equal(render(source, recipient({ GetBonusPointsAccount: () => ({ Available: 5000 }) })), 'много баллов');
  assert.equal(render(source), 'есть баллов');
  assert.equal(render(source, recipient({ GetBonusPointsAccount: () => ({ Available: 0 }) })), 'нет баллов');
});

test('keywords ignore case and end if / else if / end for accept any whitespace', () => {
  const source = "@{IF Recipient.FirstName = 'Анна' AND NOT IsEmpty(Recipient.LastName)}да@{Else \t If true}?@{ELSE}нет@{End\n  If}";
  assert.equal(render(source), 'да');
  assert.equal(render(source, recipient({ LastName: '' })), '?');
  assert.equal(render('@{For line IN Order.Lines}${line.Name};@{END    FOR}', { Order: { Lines: [{ Name: 'a' }, { Name: 'b' }] } }), 'a;b;');
});

test('conditions combine with and, or, not and parentheses', () => {
  const source = '@{if (Recipient.FirstName = "Анна" or Recipient.FirstName = "Олег") and not (Recipient.LastName != "Смирнова")}ok@{end if}';
  assert.equal(render(source), 'ok');
  assert.equal(render(source, recipient({ FirstName: 'Олег' })), 'ok');
  assert.equal(render(source, recipient({ FirstName: 'Иван' })), '');
  assert.equal(render(source, recipient({ LastName: 'Иванова' })), '');
});

test('for repeats its body for every item of a collection', () => {
  const source = 'Ваш заказ:@{for line in Order.Lines} ${line.Name} × ${line.Quantity}@{end for}. Итого ${FormatDecimal(Order.Total, "N2")} ₽';
  const context = { Order: { Lines: [{ Name: 'Борщ', Quantity: 2 }, { Name: 'Чай', Quantity: 1 }], Total: 1450 } };
  assert.equal(render(source, context), 'Ваш заказ: Борщ × 2 Чай × 1. Итого 1 450,00 ₽');
  assert.equal(render(source, { Order: {} }), 'Ваш заказ:. Итого  ₽');
});

test('set stores a value; a set inside a branch updates the variable declared before it', () => {
  const source =
    '@{set name = "друг"}@{if not IsEmpty(Recipient.FirstName)}@{set name = Recipient.FirstName}@{end if}' +
    '@{set points = Recipient.GetBonusPointsAccount("Bonus")}Привет, ${name}! У вас ${points.Available} баллов.';
  assert.equal(render(source), 'Привет, Анна! У вас 120 баллов.');
  assert.equal(render(source, recipient({ FirstName: '  ' })), 'Привет, друг! У вас 120 баллов.');
});

test('comments print nothing, on one line or several', () => {
  assert.equal(render('Код@{* служебная заметка *}: ${Recipient.AuthentificationCode}@{*\nмногострочный\n${не разбирается}\n*}'), 'Код: 1234');
});

test('& concatenates strings and numbers; missing values join as empty strings', () => {
  assert.equal(render('${Recipient.FirstName & " " & Recipient.LastName}'), 'Анна Смирнова');
  assert.equal(render("${Recipient.FirstName & ' ' & Recipient.MiddleName & '!'}"), 'Анна !');
  assert.equal(render('${"Баллы: " & Recipient.GetBonusPointsAccount("Bonus").Available + 5}'), 'Баллы: 125');
});

test('arithmetic follows the usual precedence and prints numbers with a decimal comma', () => {
  assert.equal(render('${2 + 3 * 4} ${(2 + 3) * 4} ${10 / 4} ${-Order.Total - 1} ${0.1 + 0.2}', { Order: { Total: 5 } }), '14 20 2,5 -6 0,3');
  assert.equal(render('[${1 / 0}] [${Order.Total * 2}]', { Order: {} }), '[] []');
});

test('IsEmpty is true for missing, null, empty and blank strings', () => {
  const source = '@{if IsEmpty(Recipient.MiddleName)}пусто@{else}${Recipient.MiddleName}@{end if}';
  assert.equal(render(source), 'пусто');
  assert.equal(render(source, recipient({ MiddleName: null })), 'пусто');
  assert.equal(render(source, recipient({ MiddleName: ' \t' })), 'пусто');
  assert.equal(render(source, recipient({ MiddleName: 'Ивановна' })), 'Ивановна');
});

test('FormatDecimal: N<k> groups thousands with a space and uses a decimal comma, F<k> does not group', () => {
  const format = (value: unknown, pattern: string) => render(`\${FormatDecimal(Order.Total, "${pattern}")}`, { Order: { Total: value } });
  assert.equal(format(1234.5, 'N2'), '1 234,50');
  assert.equal(format(1234.5, 'N0'), '1 235');
  assert.equal(format(1234567.891, 'N1'), '1 234 567,9');
  assert.equal(format(999, 'N0'), '999');
  assert.equal(format(1234.5, 'F2'), '1234,50');
  assert.equal(format(1234.5, 'N'), '1 234,50');
  assert.equal(format(-1234.5, 'N2'), '-1 234,50');
  assert.equal(format(1.005, 'N2'), '1,01');
  assert.equal(format(-0.004, 'N2'), '0,00');
  assert.equal(format(0.5, 'N0'), '1');
  assert.equal(format('1500', 'N0'), '1 500');
  assert.equal(format(null, 'N2'), '');
  assert.equal(render('${FormatDecimal(Recipient.GetBonusPointsAccount("Bonus").Available, "N0")}'), '120');
});

test('FormatDecimal N2 shows any amount in kopecks exactly', () => {
  const template = compileTemplate('${FormatDecimal(Order.Total, "N2")}', { parameters: ORDER_PARAMETERS });
  fc.assert(
    fc.property(fc.integer({ min: -1e13, max: 1e13 }), (minor) => {
      const shown = renderTemplate(template, { Order: { Total: toDecimal(minor) } });
      assert.equal(shown.replaceAll(' ', '').replace(',', '.'), toNumericString(minor));
      assert.match(shown, /^-?\d{1,3}( \d{3})*,\d{2}$/);
    }),
  );
});

test('Forms picks the Russian plural form by the number', () => {
  const forms = (count: number) => render('${Forms(Order.Total, "балл", "балла", "баллов")}', { Order: { Total: count } });
  const expected: [number, string][] = [
    [0, 'баллов'],
    [1, 'балл'],
    [2, 'балла'],
    [4, 'балла'],
    [5, 'баллов'],
    [11, 'баллов'],
    [12, 'баллов'],
    [14, 'баллов'],
    [21, 'балл'],
    [22, 'балла'],
    [25, 'баллов'],
    [101, 'балл'],
    [111, 'баллов'],
    [1000, 'баллов'],
    [-1, 'балл'],
  ];
  for (const [count, form] of expected) assert.equal(forms(count), form, `Forms(${count})`);
  assert.equal(
    render('${Recipient.GetBonusPointsAccount("Bonus").Available} ${Forms(Recipient.GetBonusPointsAccount("Bonus").Available, "балл", "балла", "баллов")}'),
    '120 баллов',
  );
  assert.equal(render('${AppendForms(Order.Total, "балл", "балла", "баллов")}', { Order: { Total: 21 } }), '21 балл');
});

test('ToUpper and ToLower change case; the filter form passes the value as the first argument', () => {
  assert.equal(render('${ToUpper(Recipient.FirstName)} ${ToLower("ПРИВЕТ")} ${Recipient.LastName | ToUpper}'), 'АННА привет СМИРНОВА');
  assert.equal(render('${Order.Total | FormatDecimal("N2")}', { Order: { Total: 7 } }), '7,00');
  assert.equal(render('${tolower(Recipient.FirstName)}'), 'анна');
});

test('FormatDateTime writes dates the .NET way in Russian: custom parts, quoted text, one-letter standard formats', () => {
  // a Monday morning; the genitive month follows a day number, the nominative stands alone
  const order = { Order: { CreatedAt: new Date(Date.UTC(2026, 0, 5, 9, 7, 3)) } };
  const cases: [string, string][] = [
    ['d MMMM yyyy, HH:mm', '5 января 2026, 09:07'],
    ['dd.MM.yy H:mm:ss', '05.01.26 9:07:03'],
    ['dddd, d MMM', 'понедельник, 5 янв'],
    ['ddd', 'Пн'],
    ['MMMM yyyy', 'январь 2026'],
    ["'до' HH:mm", 'до 09:07'],
    ['hh:mm \\в yyyy', '09:07 в 2026'],
    ['d', '05.01.2026'],
    ['D', '5 января 2026 г.'],
    ['t', '9:07'],
    ['g', '05.01.2026 9:07'],
  ];
  for (const [format, expected] of cases) {
    assert.equal(render(`\${FormatDateTime(Order.CreatedAt, "${format}")}`, order), expected, format);
  }
  assert.equal(render('${FormatDateTime("2026-12-31", "d MMMM")} ${FormatDateTime("2026-02-30", "d MMMM")}|${FormatDateTime(Order.CreatedAt, "d")}', {}), '31 декабря |');
});

test('dates print as dd.MM.yyyy (with H:mm when they have a time), move with AddDays/AddHours, split with GetDay/GetMonth/GetYear, compare', () => {
  const order = { Order: { CreatedAt: new Date(Date.UTC(2026, 11, 31, 22, 30)) } };
  assert.equal(render('${Order.CreatedAt} ${AddHours(Order.CreatedAt, 2)} ${AddDays(Order.CreatedAt, -0.5)}', order), '31.12.2026 22:30 01.01.2027 0:30 31.12.2026 10:30');
  assert.equal(render('${FormatDateTime(AddDays("2026-02-28", 1), "d MMMM")}', {}), '1 марта');
  assert.equal(render('${GetDay(Order.CreatedAt)}.${GetMonth(Order.CreatedAt)}.${GetYear(Order.CreatedAt)}', order), '31.12.2026');
  assert.equal(render('@{if Order.CreatedAt > "2026-12-31"}позже@{end if}@{if Order.CreatedAt = "2026-12-31T22:30"}=@{end if}', order), 'позже=');
  assert.equal(render('${AddDays(Order.CreatedAt, 1)}|${GetYear("не дата")}', {}), '|');
});

test('wallClockDate gives the local time of an instant in a time zone, for date parameters', () => {
  const local = wallClockDate(new Date('2026-01-05T21:30:00Z'), 'Europe/Moscow');
  assert.equal(local.toISOString(), '2026-01-06T00:30:00.000Z');
  assert.equal(renderTemplate(compileTemplate('${FormatDateTime(Order.CreatedAt, "d MMMM HH:mm")}', { parameters: ORDER_PARAMETERS }), { Order: { CreatedAt: local } }), '6 января 00:30');
});

test('defaults and choices: ReplaceIfEmpty, If', () => {
  assert.equal(render('${ReplaceIfEmpty(Recipient.FirstName, "Гость")}, ${ReplaceIfEmpty(Recipient.MiddleName, "Гость")}, ${ReplaceIfEmpty("  ", "Гость")}'), 'Анна, Гость, Гость');
  assert.equal(render('${If(Recipient.GetBonusPointsAccount("Bonus").Available > 100, "много", "мало")} ${IF(IsEmpty(Recipient.Email), "без почты", Recipient.Email)}'), 'много без почты');
  assert.equal(render('@{if If(true, "x", "") = "x"}да@{end if}'), 'да');
});

test('texts: Length, Substring (from 1), Truncate at a word, Capitalize, CapitalizeAllWords', () => {
  const guest = recipient({ FirstName: 'анна-мария', LastName: 'де  ла круз' });
  assert.equal(render('${Length(Recipient.FirstName)} ${Length("ёж")} ${Length(Recipient.MiddleName)}', guest), '10 2 0');
  assert.equal(render('${Substring(Recipient.FirstName, 6)}|${Substring(Recipient.FirstName, 1, 4)}|${Substring(Recipient.FirstName, 9, 50)}|${Substring("ab", 5)}', guest), 'мария|анна|ия|');
  assert.equal(render('${Recipient.FirstName | Substring(1, 1) | ToUpper}.', guest), 'А.');
  assert.equal(render('${Truncate("Ресторан на набережной", 12)}|${Truncate("Кафе у моря и гор", 10)}|${Truncate("Кафе", 5)}'), 'Ресторан...|Кафе у...|Кафе');
  assert.equal(render('${Capitalize(Recipient.FirstName)} ${Capitalize(Recipient.LastName)}|${CapitalizeAllWords(Recipient.LastName)}', guest), 'Анна-мария Де ла круз|Де Ла Круз');
});

test('numbers: Floor and Ceiling round points to whole numbers', () => {
  assert.equal(render('${Floor(Order.Total)} ${Ceiling(Order.Total)} ${Floor(-1.5)} ${Ceiling("2,1")} [${Floor("x")}]', { Order: { Total: 99.99 } }), '99 100 -2 3 []');
  assert.equal(render('${AppendForms(Floor(Recipient.GetBonusPointsAccount("Bonus").Available / 7), "балл", "балла", "баллов")}'), '17 баллов');
});

test('a restaurant SMS with the new functions', () => {
  const source =
    '${ReplaceIfEmpty(Capitalize(Recipient.FirstName), "Гость")}, у вас ${AppendForms(Floor(Recipient.GetBonusPointsAccount("Bonus").Available), "балл", "балла", "баллов")}' +
    '@{if Recipient.GetBonusPointsAccount("Bonus").Blocked > 0}, ещё ${FormatDecimal(Recipient.GetBonusPointsAccount("Bonus").Blocked, "N0")} скоро@{end if}. Код: ${Recipient.AuthentificationCode}';
  assert.equal(renderTemplate(compileTemplate(source, { parameters: RECIPIENT_PARAMETERS }), recipient({ FirstName: 'анна' })), 'Анна, у вас 120 баллов, ещё 30 скоро. Код: 1234');
});

test("the recipient's dates: a birthday and the expiry of the code the message carries", () => {
  const source =
    'Код ${Recipient.AuthentificationCode} действует до ${FormatDateTime(Recipient.CodeExpiresAt, "HH:mm")}' +
    '@{if GetMonth(Recipient.BirthDate) = GetMonth(Recipient.CodeExpiresAt)}. С днём рождения ${FormatDateTime(Recipient.BirthDate, "d MMMM")}!@{end if}';
  const template = compileTemplate(source, { parameters: RECIPIENT_PARAMETERS });
  const expires = wallClockDate(new Date('2026-01-05T20:59:00Z'), 'Europe/Moscow');
  assert.equal(renderTemplate(template, recipient({ CodeExpiresAt: expires, BirthDate: new Date('1990-01-31T00:00:00Z') })), 'Код 1234 действует до 23:59. С днём рождения 31 января!');
  assert.equal(renderTemplate(template, recipient({ CodeExpiresAt: expires, BirthDate: null })), 'Код 1234 действует до 23:59');
  assert.equal(compileError('${Recipient.BirthDate.Day}').message, 'unknown parameter Recipient.BirthDate.Day at line 1, column 3');
  assert.equal(
    compileError('${AddDays(Recipient.GetBonusPointsAccount("Bonus").Available, 7)}').message,
    'AddDays takes a date as its first argument, and Recipient.GetBonusPointsAccount("Bonus").Available is not one at line 1, column 11',
  );
});

test('syntax errors name the problem and its line and column', () => {
  const cases: [string, string][] = [
    ['Код: ${Recipient.AuthentificationCode', 'unclosed ${ at line 1, column 6'],
    ['Привет!\n  @{if Recipient.FirstName}да', '@{if} is not closed with @{end if} at line 2, column 3'],
    ['a\nb @{end if}', '@{end if} without a matching @{if} at line 2, column 3'],
    ['@{else}', '@{else} without a matching @{if} at line 1, column 1'],
    ['@{for x in Order.Lines}@{end if}', '@{end if} without a matching @{if} at line 1, column 24'],
    ['@{if true}@{else}@{else}@{end if}', '@{else} after @{else} at line 1, column 18'],
    ['${Recipient.FirstName +}', "expected an expression, found '}' at line 1, column 24"],
    ['${Recipient.FirstName Recipient.LastName}', "unexpected 'Recipient', expected '}' at line 1, column 23"],
    ['${"незакрытая строка}', 'unterminated string at line 1, column 3'],
    ['${}', 'empty ${} at line 1, column 1'],
    ['x\r\n\r\n@{while true}', 'unknown instruction @{while} at line 3, column 3'],
    ['@{set = 1}', "expected a variable name, found '=' at line 1, column 7"],
    ['@{* не закрыт', 'unclosed comment @{* at line 1, column 1'],
    ['${Recipient.FirstName # 1}', "unexpected character '#' at line 1, column 23"],
  ];
  for (const [source, message] of cases) assert.equal(compileError(source, ORDER_PARAMETERS).message, message, source);
});

test('unknown parameters, members, methods and functions are refused at compile time', () => {
  // The column is the first character of the parameter path, not of the `${` around it.
  const error = compileError('Код авторизации: ${Recipient.Foo}');
  assert.equal(error.message, 'unknown parameter Recipient.Foo at line 1, column 20');
  assert.equal(error.reason, 'unknown parameter Recipient.Foo');
  assert.equal(error.line, 1);
  assert.equal(error.column, 20);
  assert.ok(error instanceof AppError && error.code === 'validation');

  const cases: [string, string][] = [
    ['Здравствуйте!\n\tВаш код: ${Recipent.AuthentificationCode}', 'unknown parameter Recipent at line 2, column 13'],
    ['${Recipient.GetBonusPointsAccount("Bonus").Availible}', 'unknown parameter Recipient.GetBonusPointsAccount("Bonus").Availible at line 1, column 3'],
    ['${Recipient.GetBonusPointsAccount.Available}', 'Recipient.GetBonusPointsAccount is a method taking 1 argument: call it as Recipient.GetBonusPointsAccount(…) at line 1, column 3'],
    ['${Recipient.GetBonusPointsAccount().Total}', 'Recipient.GetBonusPointsAccount takes 1 argument, not 0 at line 1, column 3'],
    ['${Recipient.FirstName("x")}', 'Recipient.FirstName is not a method at line 1, column 3'],
    ['${Recipient.FirstName.Length}', 'unknown parameter Recipient.FirstName.Length at line 1, column 3'],
    ['${Formz(1, "a", "b", "c")}', 'unknown function Formz at line 1, column 3'],
    ['${Forms(1, "a")}', 'Forms takes 4 arguments, not 2 at line 1, column 3'],
    ['${FormatDecimal(1, "C2")}', 'unsupported FormatDecimal format "C2": use N0…N99 (grouped) or F0…F99 at line 1, column 20'],
    ['${code}@{set code = Recipient.AuthentificationCode}', 'unknown parameter code at line 1, column 3'],
    ['@{if true}@{set x = 1}@{end if}${x}', 'unknown parameter x at line 1, column 34'],
    ['@{for x in Recipient.FirstName}@{end for}', 'Recipient.FirstName is not a collection at line 1, column 12'],
    ['@{set Recipient = 1}', 'Recipient is a parameter and cannot be used as a variable name at line 1, column 7'],
    ['Ваш код: ${Coalesce(Recipient.FirstName, "Гость")}', 'unknown function Coalesce at line 1, column 12'],
    ['${Substring(Recipient.FirstName)}', 'Substring takes 2 or 3 arguments, not 1 at line 1, column 3'],
    ['${Substring(Recipient.FirstName, 0)}', 'the start of Substring counts from 1 at line 1, column 34'],
    ['${Substring(Recipient.FirstName, 1, 0)}', 'the length of Substring is a whole number from 1 at line 1, column 37'],
    ['${Truncate(Recipient.FirstName, 4)}', 'Truncate cannot shorten a text to fewer than 5 characters at line 1, column 33'],
    ['${If(true, "a")}', 'If takes 3 arguments, not 2 at line 1, column 3'],
    ['${FormatDateTime(Recipient.GetBonusPointsAccount("Bonus").Total, "dd")}', 'FormatDateTime takes a date as its first argument, and Recipient.GetBonusPointsAccount("Bonus").Total is not one at line 1, column 18'],
    ['\n  ${AddDays(1, 2)}', 'AddDays takes a date as its first argument, and 1 is not one at line 2, column 13'],
    [
      '${FormatDateTime("2026-01-05", "DD.MM.YYYY")}',
      'unsupported FormatDateTime format "DD.MM.YYYY": "D" is not a date or time part: use d, dd, ddd, dddd, M, MM, MMM, MMMM, yy, yyyy, H, HH, h, hh, mm, ss, or put text in quotes at line 1, column 32',
    ],
    ['${FormatDateTime("2026-01-05", "dd \'г")}', 'unsupported FormatDateTime format "dd \'г": the quote at position 4 is not closed at line 1, column 32'],
    ['${FormatDateTime("2026-01-05", "yyy")}', 'unsupported FormatDateTime format "yyy": "yyy" is not a date or time part at line 1, column 32'],
    ['Привет, ${Recipient.FirstName}!\n@{if 1 > 0}${ToUpper(Recipient.Phone)}@{end if}', 'unknown parameter Recipient.Phone at line 2, column 22'],
  ];
  for (const [source, message] of cases) assert.equal(compileError(source).message, message, source);
});

test('rendering never throws for missing, wrong-typed or failing data', () => {
  const template = compileTemplate(
    '${Recipient.FirstName & " " & Recipient.LastName}|${FormatDecimal(Recipient.GetBonusPointsAccount("Bonus").Available, "N2")}|' +
      '${Forms(Recipient.GetBonusPointsAccount("Bonus").Total, "балл", "балла", "баллов")}|${ToUpper(Recipient.Email)}|' +
      '@{if Recipient.GetBonusPointsAccount("Bonus").Blocked > 0 or IsEmpty(Recipient.MiddleName)}x@{end if}|' +
      '@{for line in Order.Lines}${line.Name}${line.Quantity * 2}@{end for}|${Order.Total / 0}|${-Recipient.FirstName}',
    { parameters: ORDER_PARAMETERS },
  );
  assert.equal(renderTemplate(template, {}), ' ||||x|||');
  assert.equal(renderTemplate(template, { Recipient: null, Order: 'not an object' }), ' ||||x|||');
  const throwing = { Recipient: { GetBonusPointsAccount: () => { throw new Error('database down'); } } };
  assert.equal(renderTemplate(template, throwing), ' ||||x|||');
  fc.assert(
    fc.property(fc.object({ values: [fc.anything(), fc.func(fc.anything())] }), fc.anything(), (recipientValue, orderValue) => {
      assert.equal(typeof renderTemplate(template, { Recipient: recipientValue, Order: orderValue }), 'string');
    }),
  );
});

test('templates cannot reach object prototypes', () => {
  const template = compileTemplate('@{for line in Order.Lines}[${line.Name}]@{end for}', { parameters: ORDER_PARAMETERS });
  const line = Object.create({ Name: 'унаследовано' }) as object;
  assert.equal(renderTemplate(template, { Order: { Lines: [line, { Name: 'своё' }] } }), '[][своё]');
});
