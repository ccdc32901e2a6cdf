// Writes the sample menu of a Moscow café, made up for this project:
// - examples/iiko-nomenclature.json: an iikoCloud `/api/1/nomenclature` answer;
// - examples/catalog.json: an `Offline.SendProductCatalog` JSON body with part of that menu;
// - examples/catalog.yml.xml: the same part as a YML feed.
// GUIDs are hashes of a fixed seed and the item's name, so the files come out byte-identical on
// every run and adding an item does not change the others. Run: npx tsx scripts/make-sample-menu.ts

import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseIikoNomenclature } from '../src/wire/catalog/iiko-nomenclature.ts';
import type { CatalogProduct } from '../src/wire/catalog/types.ts';
import { toDecimal } from '../src/shared/money.ts';

const SEED = 'regulars/sample-menu/v1';
const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples');
const REVISION = 1749556800123;
const FEED_DATE = '2025-06-10T12:00:00+03:00';

/** A GUID shaped like iiko's (version 4 layout), derived from the seed and a stable key. */
function guid(key: string): string {
  const hex = createHash('sha256').update(`${SEED}:${key}`).digest('hex');
  const variant = ((Number.parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

// ---- accounting categories and size scales ----

const PRODUCT_CATEGORIES = {
  kitchen: 'Кухня',
  pizza: 'Пицца',
  pastry: 'Кондитерская',
  coffee: 'Кофе и чай',
  bar: 'Бар безалкогольный',
  alcohol: 'Бар алкогольный',
  goods: 'Товары',
  services: 'Услуги',
  modifiers: 'Модификаторы',
} as const;
type ProductCategoryKey = keyof typeof PRODUCT_CATEGORIES;

const SIZE_SCALES = {
  pizza: ['25 см', '30 см', '35 см'],
  coffee: ['S', 'M', 'L'],
} as const;
type SizeScale = keyof typeof SIZE_SCALES;

// ---- modifiers ----

type Spec = [name: string, price: number, options?: ItemOptions];
interface ItemOptions {
  description?: string;
  deleted?: boolean;
  /** not on sale; for a sized dish, the indexes of the sizes taken off the menu */
  hiddenSizes?: number[];
  hidden?: boolean;
  noCode?: boolean;
  mods?: ModifierLink[];
  weight?: number;
}

interface ModifierGroupSpec {
  key: string;
  name: string;
  min: number;
  max: number;
  items: Spec[];
  /** index of the child chosen by default (a required choice) */
  defaultChild?: number;
}

const MODIFIER_GROUPS: ModifierGroupSpec[] = [
  {
    key: 'syrups',
    name: 'Сиропы',
    min: 0,
    max: 3,
    items: [
      ['Сироп ванильный', 50],
      ['Сироп карамельный', 50],
      ['Сироп лесной орех', 50],
      ['Сироп кокосовый', 50],
      ['Сироп солёная карамель', 60],
      ['Сироп «Имбирный пряник»', 60, { deleted: true }],
    ],
  },
  {
    key: 'milk',
    name: 'Альтернативное молоко',
    min: 0,
    max: 1,
    items: [
      ['Молоко овсяное', 70],
      ['Молоко миндальное', 80],
      ['Молоко кокосовое', 80],
      ['Молоко безлактозное', 50],
    ],
  },
  { key: 'coffeeExtras', name: 'Добавки к кофе', min: 0, max: 3, items: [['Дополнительный шот эспрессо', 80]] },
  {
    key: 'pizzaToppings',
    name: 'Добавки к пицце',
    min: 0,
    max: 5,
    items: [
      ['Сыр моцарелла', 120],
      ['Бекон', 140],
      ['Халапеньо', 70],
      ['Шампиньоны', 90],
      ['Пепперони', 140],
    ],
  },
  { key: 'dough', name: 'Тесто', min: 1, max: 1, defaultChild: 0, items: [['Тонкое тесто', 0], ['Пышное тесто', 0]] },
  { key: 'crust', name: 'Бортик', min: 0, max: 1, items: [['Сырный бортик', 150]] },
  {
    key: 'doneness',
    name: 'Степень прожарки',
    min: 1,
    max: 1,
    defaultChild: 2,
    items: [['Rare', 0], ['Medium rare', 0], ['Medium', 0], ['Medium well', 0], ['Well done', 0]],
  },
  {
    key: 'sauces',
    name: 'Соусы',
    min: 0,
    max: 3,
    items: [
      ['Соус сырный', 60],
      ['Соус барбекю', 60],
      ['Кетчуп', 50],
    ],
  },
  { key: 'wishes', name: 'Пожелания', min: 0, max: 2, items: [['Без сахара', 0], ['Без льда', 0]] },
  { key: 'extras', name: 'Добавки', min: 0, max: 3, items: [['Сыр пармезан', 90], ['Сметана', 60]] },
];

/** A group key offers a choice from that modifier group; a product name adds one simple modifier. */
type ModifierLink =
  | { group: 'syrups' | 'milk' | 'pizzaToppings' | 'dough' | 'crust' | 'doneness' | 'sauces' | 'wishes' }
  | { product: 'Дополнительный шот эспрессо' | 'Сыр пармезан' | 'Сметана' };

const COFFEE_MODS: ModifierLink[] = [{ group: 'syrups' }, { group: 'milk' }, { product: 'Дополнительный шот эспрессо' }];
const SOUR_CREAM: ModifierLink[] = [{ product: 'Сметана' }];
const SAUCES: ModifierLink[] = [{ group: 'sauces' }];
const DONENESS: ModifierLink[] = [{ group: 'doneness' }];

// ---- menu ----

interface GroupSpec {
  key: string;
  name: string;
  parent?: string;
  category: ProductCategoryKey;
  unit?: string;
  type?: 'dish' | 'good' | 'service';
  weight: number;
  sizes?: SizeScale;
  mods?: ModifierLink[];
  hidden?: boolean;
  deleted?: boolean;
  description?: string;
  items: (Spec | [name: string, prices: number[], options?: ItemOptions])[];
}

const MENU: GroupSpec[] = [
  {
    key: 'breakfast',
    name: 'Завтраки',
    category: 'kitchen',
    weight: 0.25,
    description: 'Весь день до 16:00',
    items: [
      ['Сырники со сметаной', 420, { description: 'Из фермерского творога, со сметаной и ягодным вареньем', mods: SOUR_CREAM }],
      ['Сырники с малиновым соусом', 450, { mods: SOUR_CREAM }],
      ['Каша овсяная на молоке', 290, { description: 'С бананом и мёдом' }],
      ['Каша рисовая с тыквой', 310],
      ['Гречневая каша с грибами', 340],
      ['Омлет с сыром', 380],
      ['Омлет с ветчиной и грибами', 420],
      ['Яичница с беконом', 390, { description: 'Три яйца, бекон, тост' }],
      ['Скрэмбл с лососем на тосте', 590],
      ['Яйца Бенедикт с ветчиной', 520],
      ['Яйца Бенедикт с лососем', 620],
      ['Шакшука', 480, { description: 'Яйца в томатах с перцем, фета, хлеб' }],
      ['Блины с творогом', 360, { mods: SOUR_CREAM }],
      ['Блины с красной икрой', 890, { mods: SOUR_CREAM }],
      ['Авокадо-тост с яйцом пашот', 540],
      ['Гранола с йогуртом и ягодами', 390],
    ],
  },
  {
    key: 'soups',
    name: 'Супы',
    category: 'kitchen',
    weight: 0.3,
    items: [
      ['Борщ с говядиной', 450, { description: 'Со сметаной и бородинским хлебом', mods: SOUR_CREAM }],
      ['Солянка мясная', 490],
      ['Куриный суп с домашней лапшой', 390],
      ['Крем-суп из тыквы', 420, { description: 'С тыквенными семечками и сливками' }],
      ['Крем-суп грибной', 440],
      ['Том ям с креветками', 690, { description: 'Острый, на кокосовом молоке, с рисом' }],
      ['Уха по-фински', 590],
      ['Окрошка на квасе', 420, { hidden: true, description: 'Сезонное блюдо' }],
      ['Суп дня', 350, { noCode: true }],
    ],
  },
  {
    key: 'salads',
    name: 'Салаты',
    category: 'kitchen',
    weight: 0.22,
    items: [
      ['Цезарь с курицей', 590, { description: 'Романо, курица гриль, пармезан, крутоны, соус цезарь' }],
      ['Цезарь с креветками', 720],
      ['Греческий салат', 520],
      ['Оливье с говядиной', 460],
      ['Салат с ростбифом и печёным перцем', 640],
      ['Тёплый салат с говяжьей вырезкой', 690],
      ['Салат с печёной свёклой и козьим сыром', 540],
      ['Салат из свежих овощей', 390],
      ['Салат с тунцом', 620],
      ['Винегрет', 320],
      ['Сельдь под шубой', 420],
      ['Салат с уткой и апельсином', 680, { deleted: true }],
    ],
  },
  {
    key: 'starters',
    name: 'Закуски',
    category: 'kitchen',
    weight: 0.2,
    items: [
      ['Брускетты с томатами', 390],
      ['Брускетты с лососем', 520],
      ['Сельдь с картофелем', 420],
      ['Сырная тарелка', 890, { description: 'Четыре сыра, мёд, орехи, виноград' }],
      ['Мясная тарелка', 990],
      ['Соленья ассорти', 450],
      ['Хумус с питой', 380],
      ['Куриные крылья BBQ', 520, { mods: SAUCES }],
      ['Креветки в темпуре', 690, { mods: SAUCES }],
      ['Драники со сметаной', 390, { mods: SOUR_CREAM }],
    ],
  },
  {
    key: 'mains',
    name: 'Горячее',
    category: 'kitchen',
    weight: 0.35,
    items: [
      ['Плов с бараниной', 590],
      ['Голубцы со сметаной', 520, { mods: SOUR_CREAM }],
    ],
  },
  {
    key: 'meat',
    name: 'Мясо',
    parent: 'mains',
    category: 'kitchen',
    weight: 0.35,
    items: [
      ['Стейк рибай', 2490, { description: 'Мраморная говядина зернового откорма, 300 г', mods: DONENESS, weight: 0.3 }],
      ['Стейк стриплойн', 2190, { mods: DONENESS, weight: 0.3 }],
      ['Бефстроганов с пюре', 690],
      ['Говяжьи щёчки с пюре', 790],
      ['Бургер с говядиной', 650, { description: 'Булочка бриошь, котлета 180 г, чеддер, соус, картофель фри', mods: SAUCES }],
      ['Пельмени домашние', 490, { mods: SOUR_CREAM }],
      ['Свиная шея на гриле', 720],
    ],
  },
  {
    key: 'poultry',
    name: 'Птица',
    parent: 'mains',
    category: 'kitchen',
    weight: 0.32,
    items: [
      ['Котлета по-киевски', 620],
      ['Куриная грудка гриль', 560],
      ['Утиная ножка конфи', 890],
      ['Цыплёнок табака', 780],
      ['Куриные котлеты с пюре', 520],
    ],
  },
  {
    key: 'fish',
    name: 'Рыба и морепродукты',
    parent: 'mains',
    category: 'kitchen',
    weight: 0.3,
    items: [
      ['Стейк из лосося', 1290],
      ['Сибас на гриле', 1190],
      ['Судак с овощами', 890],
      ['Треска в сливочном соусе', 820],
      ['Креветки на гриле', 1150],
      ['Мидии в сливочно-чесночном соусе', 990],
    ],
  },
  {
    key: 'pasta',
    name: 'Паста',
    category: 'kitchen',
    weight: 0.3,
    mods: [{ product: 'Сыр пармезан' }],
    items: [
      ['Карбонара', 590, { description: 'Спагетти, гуанчиале, желток, пекорино' }],
      ['Болоньезе', 560],
      ['Фетучини с курицей и грибами', 590],
      ['Паста с морепродуктами', 790],
      ['Паста с лососем в сливочном соусе', 750],
      ['Паста песто с моцареллой', 520],
      ['Аррабьята', 490],
      ['Лазанья', 620],
      ['Ризотто с белыми грибами', 690],
      ['Ризотто с морепродуктами', 820],
    ],
  },
  {
    key: 'pizza',
    name: 'Пицца',
    category: 'pizza',
    weight: 0.5,
    sizes: 'pizza',
    mods: [{ group: 'pizzaToppings' }, { group: 'dough' }, { group: 'crust' }],
    items: [
      ['Маргарита', [490, 690, 890], { description: 'Томатный соус, моцарелла, базилик' }],
      ['Пепперони', [590, 790, 990]],
      ['Четыре сыра', [650, 850, 1050]],
      ['Ветчина и грибы', [590, 790, 990]],
      ['Гавайская', [590, 790, 990]],
      ['Дьябола', [620, 820, 1020], { description: 'Острая салями, халапеньо, моцарелла' }],
      ['Морская', [790, 990, 1190], { hiddenSizes: [2] }],
      ['Вегетарианская', [550, 750, 950]],
      ['Барбекю', [650, 850, 1050]],
      ['С грушей и горгонзолой', [690, 890, 1090]],
    ],
  },
  {
    key: 'sides',
    name: 'Гарниры',
    category: 'kitchen',
    weight: 0.15,
    mods: SAUCES,
    items: [
      ['Картофель фри', 290],
      ['Картофельное пюре', 220],
      ['Картофель по-деревенски', 260],
      ['Рис с овощами', 240],
      ['Овощи гриль', 350],
      ['Гречка с луком', 220],
      ['Спаржа на гриле', 450],
      ['Батат фри', 350],
    ],
  },
  {
    key: 'desserts',
    name: 'Десерты',
    category: 'pastry',
    weight: 0.15,
    items: [
      ['Чизкейк Нью-Йорк', 420],
      ['Тирамису', 450],
      ['Медовик', 390],
      ['Наполеон', 390],
      ['Шоколадный фондан с мороженым', 490],
      ['Панна-котта с ягодным соусом', 380],
      ['Эклер ванильный', 220],
      ['Морковный торт', 420],
      ['Мороженое, три шарика', 350, { description: 'Ваниль, шоколад, фисташка' }],
      ['Штрудель яблочный с мороженым', 440],
    ],
  },
  {
    key: 'bakery',
    name: 'Выпечка',
    category: 'pastry',
    weight: 0.1,
    unit: 'шт',
    items: [
      ['Круассан классический', 190],
      ['Круассан с миндалём', 260],
      ['Круассан с ветчиной и сыром', 320],
      ['Синнабон', 280],
      ['Пирог с вишней', 290, { deleted: true }],
      ['Маффин шоколадный', 210],
      ['Слойка с яблоком', 180],
    ],
  },
  {
    key: 'kids',
    name: 'Детское меню',
    category: 'kitchen',
    weight: 0.2,
    items: [
      ['Куриный бульон с лапшой', 250],
      ['Наггетсы с картофелем фри', 390],
      ['Макароны с сыром', 320],
      ['Мини-пицца Маргарита', 350],
      ['Котлетка с пюре', 360],
      ['Молочный коктейль детский', 250],
    ],
  },
  { key: 'drinks', name: 'Напитки', category: 'bar', weight: 0.3, items: [] },
  {
    key: 'coffee',
    name: 'Кофе',
    parent: 'drinks',
    category: 'coffee',
    weight: 0.3,
    sizes: 'coffee',
    mods: COFFEE_MODS,
    items: [
      ['Эспрессо', 160, { weight: 0.03 }],
      ['Двойной эспрессо', 220, { weight: 0.06 }],
      ['Американо', [190, 230, 270]],
      ['Капучино', [230, 280, 330]],
      ['Латте', [250, 300, 350]],
      ['Флэт уайт', 320, { weight: 0.2 }],
      ['Раф', [290, 340, 390]],
      ['Раф лавандовый', [320, 370, 420]],
      ['Мокко', [290, 340, 390]],
      ['Какао', [250, 300, 350]],
      ['Горячий шоколад', [290, 340, 390]],
      ['Матча латте', [320, 370, 420]],
      ['Кофе по-турецки', 250, { weight: 0.1 }],
      ['Айс латте', 320],
      ['Бамбл', 350, { description: 'Эспрессо, апельсиновый сок, карамель, лёд' }],
    ],
  },
  {
    key: 'tea',
    name: 'Чай',
    parent: 'drinks',
    category: 'coffee',
    weight: 0.6,
    mods: [{ group: 'wishes' }],
    description: 'Чайник 600 мл',
    items: [
      ['Чай чёрный Ассам', 390],
      ['Чай Эрл Грей', 390],
      ['Чай зелёный Сенча', 390],
      ['Молочный улун', 450],
      ['Пуэр', 450],
      ['Травяной сбор', 390],
      ['Чай облепиховый с мёдом', 450],
      ['Чай имбирный с лимоном', 450],
      ['Чай ягодный', 450],
      ['Масала чай', 420],
    ],
  },
  {
    key: 'lemonades',
    name: 'Лимонады',
    parent: 'drinks',
    category: 'bar',
    weight: 0.4,
    mods: [{ group: 'wishes' }],
    items: [
      ['Лимонад классический', 350],
      ['Мохито безалкогольный', 390],
      ['Лимонад маракуйя и манго', 390],
      ['Лимонад клубника и базилик', 390],
      ['Лимонад тархун', 350],
      ['Лимонад огурец и лайм', 350],
      ['Морс клюквенный, кувшин 1 л', 590, { weight: 1 }],
    ],
  },
  {
    key: 'juices',
    name: 'Свежевыжатые соки',
    parent: 'drinks',
    category: 'bar',
    weight: 0.25,
    items: [
      ['Фреш апельсиновый', 450],
      ['Фреш грейпфрутовый', 450],
      ['Фреш яблочный', 390],
      ['Фреш морковный', 350],
      ['Фреш сельдерей и яблоко', 420],
    ],
  },
  {
    key: 'water',
    name: 'Вода и газировка',
    parent: 'drinks',
    category: 'goods',
    type: 'good',
    unit: 'шт',
    weight: 0.5,
    items: [
      ['Боржоми 0,5 л', 290],
      ['Вода «Архыз» без газа 0,5 л', 180],
      ['Вода San Pellegrino 0,75 л', 420, { weight: 0.75 }],
      ['Кола 0,33 л', 220, { weight: 0.33 }],
      ['Тоник 0,33 л', 220, { weight: 0.33 }],
      ['Сок яблочный 0,2 л', 180, { weight: 0.2 }],
      ['Квас 0,5 л', 250],
    ],
  },
  { key: 'alcohol', name: 'Алкоголь', parent: 'drinks', category: 'alcohol', weight: 0.15, items: [] },
  {
    key: 'wine',
    name: 'Вино',
    parent: 'alcohol',
    category: 'alcohol',
    weight: 0.15,
    description: 'Бокал 150 мл',
    items: [
      ['Кьянти, бокал', 550],
      ['Пино нуар Кубань, бокал', 490],
      ['Совиньон блан, бокал', 520],
      ['Шардоне, бокал', 540],
      ['Рислинг, бокал', 520],
      ['Просекко, бокал', 590],
      ['Розе, бокал', 490],
    ],
  },
  {
    key: 'beer',
    name: 'Пиво и сидр',
    parent: 'alcohol',
    category: 'alcohol',
    weight: 0.5,
    items: [
      ['Пиво светлое разливное 0,5 л', 390],
      ['Пиво тёмное разливное 0,5 л', 420],
      ['Пиво нефильтрованное 0,5 л', 410],
      ['Сидр яблочный 0,33 л', 450, { weight: 0.33 }],
      ['Пиво безалкогольное 0,33 л', 320, { weight: 0.33 }],
    ],
  },
  {
    key: 'cocktails',
    name: 'Коктейли',
    parent: 'alcohol',
    category: 'alcohol',
    weight: 0.25,
    items: [
      ['Апероль шприц', 690],
      ['Мохито', 650],
      ['Негрони', 720],
      ['Коктейль Маргарита', 690],
      ['Пина колада', 690],
      ['Глинтвейн', 490],
      ['Белый русский', 650],
      ['Лонг-Айленд', 790],
    ],
  },
  {
    key: 'spirits',
    name: 'Крепкие напитки',
    parent: 'alcohol',
    category: 'alcohol',
    weight: 0.05,
    description: 'Порция 50 мл',
    items: [
      ['Водка', 350],
      ['Коньяк армянский 5 лет', 490],
      ['Виски ирландский', 520],
      ['Ром выдержанный', 480],
      ['Джин', 450],
    ],
  },
  {
    key: 'banquet',
    name: 'Банкетное меню',
    category: 'kitchen',
    weight: 1,
    hidden: true,
    description: 'Только по предзаказу',
    items: [
      ['Канапе ассорти, сет 24 шт', 2900],
      ['Рыбное ассорти на компанию', 3900],
      ['Мясное ассорти на компанию', 3500],
      ['Торт праздничный, 1 кг', 2800],
    ],
  },
  {
    key: 'summer2024',
    name: 'Летнее меню 2024',
    category: 'kitchen',
    weight: 0.3,
    deleted: true,
    items: [
      ['Окрошка на кефире', 390],
      ['Холодник', 360],
      ['Лимонад арбуз и мята', 350],
    ],
  },
];

/** Sold without a menu group. */
const SERVICES: Spec[] = [
  ['Упаковка с собой', 30],
  ['Пробковый сбор', 1000, { noCode: true }],
];

// ---- building the answer ----

const productCategoryId = (key: ProductCategoryKey) => guid(`product-category:${key}`);
const groupId = (key: string) => guid(`group:${key}`);
const sizeId = (name: string) => guid(`size:${name}`);
const productId = (group: string, name: string) => guid(`product:${group}:${name}`);

const NO_SEO = { seoDescription: null, seoText: null, seoKeywords: null, seoTitle: null };
const NO_NUTRITION = {
  fatAmount: 0,
  proteinsAmount: 0,
  carbohydratesAmount: 0,
  energyAmount: 0,
  fatFullAmount: 0,
  proteinsFullAmount: 0,
  carbohydratesFullAmount: 0,
  energyFullAmount: 0,
};

function sizePrice(size: string | null, price: number, included: boolean) {
  return {
    sizeId: size,
    price: { currentPrice: price, isIncludedInMenu: included, nextPrice: null, nextIncludedInMenu: included, nextDatePrice: null },
  };
}

function group(key: string, spec: { name: string; parent?: string; order: number; description?: string; hidden?: boolean; deleted?: boolean; modifier?: boolean }) {
  return {
    imageLinks: [],
    parentGroup: spec.parent ? groupId(spec.parent) : null,
    order: spec.order,
    isIncludedInMenu: !spec.hidden && !spec.modifier,
    isGroupModifier: spec.modifier ?? false,
    id: groupId(key),
    code: null,
    name: spec.name,
    description: spec.description ?? '',
    additionalInfo: null,
    tags: null,
    isDeleted: spec.deleted ?? false,
    ...NO_SEO,
  };
}

let lastArticle = 0;
const nextArticle = () => String(++lastArticle).padStart(5, '0');

const modifierProductIds = new Map<string, string>();
const modifierGroupChildren = new Map<string, string[]>();

function product(spec: {
  id: string;
  name: string;
  noCode?: boolean;
  description?: string;
  type: 'dish' | 'good' | 'service' | 'modifier';
  group: string | null;
  category: ProductCategoryKey;
  order: number;
  weight: number;
  unit: string;
  sizePrices: ReturnType<typeof sizePrice>[];
  mods: ModifierLink[];
  deleted?: boolean;
  compound?: boolean;
}) {
  const article = nextArticle();
  const modifiers = spec.mods.flatMap((link) =>
    'product' in link
      ? [{ id: modifierProductIds.get(link.product)!, defaultAmount: 0, minAmount: 0, maxAmount: 3, required: false, hideIfDefaultAmount: false, splittable: false, freeOfChargeAmount: 0 }]
      : [],
  );
  const groupModifiers = spec.mods.flatMap((link) => {
    if (!('group' in link)) return [];
    const modifierGroup = MODIFIER_GROUPS.find((candidate) => candidate.key === link.group)!;
    const children = modifierGroupChildren.get(link.group)!;
    return [
      {
        id: groupId(`modifiers:${link.group}`),
        minAmount: modifierGroup.min,
        maxAmount: modifierGroup.max,
        required: modifierGroup.min > 0,
        childModifiersHaveMinMaxRestrictions: false,
        childModifiers: children.map((id, index) => ({
          id,
          defaultAmount: modifierGroup.defaultChild === index ? 1 : 0,
          minAmount: 0,
          maxAmount: 1,
          required: false,
          hideIfDefaultAmount: false,
          splittable: false,
          freeOfChargeAmount: 0,
        })),
        hideIfDefaultAmount: false,
        defaultAmount: 0,
        splittable: false,
        freeOfChargeAmount: 0,
      },
    ];
  });
  return {
    ...NO_NUTRITION,
    weight: spec.weight,
    groupId: spec.group,
    productCategoryId: productCategoryId(spec.category),
    type: spec.type,
    orderItemType: spec.compound ? 'Compound' : 'Product',
    modifierSchemaId: spec.compound ? guid('modifier-schema:pizza') : null,
    modifierSchemaName: spec.compound ? 'Пицца' : null,
    splittable: false,
    measureUnit: spec.unit,
    sizePrices: spec.sizePrices,
    modifiers,
    groupModifiers,
    imageLinks: [],
    doNotPrintInCheque: false,
    parentGroup: spec.group,
    order: spec.order,
    fullNameEnglish: '',
    useBalanceForSell: false,
    canSetOpenPrice: false,
    paymentSubject: spec.type === 'service' ? 'Service' : 'Commodity',
    id: spec.id,
    code: spec.noCode ? null : article,
    name: spec.name,
    description: spec.description ?? '',
    additionalInfo: null,
    tags: null,
    isDeleted: spec.deleted ?? false,
    ...NO_SEO,
  };
}

function buildNomenclature() {
  const groups = [
    ...MENU.map((spec, order) => group(spec.key, { ...spec, order })),
    ...MODIFIER_GROUPS.map((spec, order) => group(`modifiers:${spec.key}`, { name: spec.name, order, modifier: true })),
  ];

  const modifierProducts = MODIFIER_GROUPS.flatMap((modifierGroup) => {
    const children: string[] = [];
    modifierGroupChildren.set(modifierGroup.key, children);
    return modifierGroup.items.map(([name, price, options = {}], order) => {
      const id = productId(`modifiers:${modifierGroup.key}`, name);
      modifierProductIds.set(name, id);
      if (!options.deleted) children.push(id);
      return { name, price, options, order, id, groupKey: `modifiers:${modifierGroup.key}` };
    });
  });

  const menuProducts = MENU.flatMap((spec) =>
    spec.items.map(([name, prices, options = {}], order) => {
      const sizePrices = Array.isArray(prices)
        ? prices.map((price, index) => sizePrice(sizeId(SIZE_SCALES[spec.sizes!][index]), price, !options.hiddenSizes?.includes(index)))
        : [sizePrice(null, prices, !options.hidden)];
      return product({
        id: productId(spec.key, name),
        name,
        noCode: options.noCode,
        description: options.description,
        type: spec.type ?? 'dish',
        group: groupId(spec.key),
        category: spec.category,
        order,
        weight: options.weight ?? spec.weight,
        unit: spec.unit ?? (spec.type === 'good' ? 'шт' : 'порц'),
        sizePrices,
        mods: [...(spec.mods ?? []), ...(options.mods ?? [])],
        deleted: options.deleted,
        compound: spec.sizes === 'pizza',
      });
    }),
  );

  const services = SERVICES.map(([name, price, options = {}], order) =>
    product({
      id: productId('services', name),
      name,
      noCode: options.noCode,
      type: 'service',
      group: null,
      category: 'services',
      order,
      weight: 0,
      unit: 'шт',
      sizePrices: [sizePrice(null, price, true)],
      mods: [],
    }),
  );

  const modifiers = modifierProducts.map((modifier) =>
    product({
      id: modifier.id,
      name: modifier.name,
      type: 'modifier',
      group: groupId(modifier.groupKey),
      category: 'modifiers',
      order: modifier.order,
      weight: 0,
      unit: 'порц',
      sizePrices: [sizePrice(null, modifier.price, true)],
      mods: [],
      deleted: modifier.options.deleted,
    }),
  );

  return {
    correlationId: guid('correlation'),
    groups,
    productCategories: Object.entries(PRODUCT_CATEGORIES).map(([key, name]) => ({
      id: productCategoryId(key as ProductCategoryKey),
      name,
      isDeleted: false,
    })),
    products: [...modifiers, ...menuProducts, ...services],
    sizes: Object.values(SIZE_SCALES).flatMap((names) =>
      names.map((name, priority) => ({ id: sizeId(name), name, priority, isDefault: priority === 0 })),
    ),
    revision: REVISION,
  };
}

// ---- the smaller examples: part of the same menu, as an operation body and as a YML feed ----

const EXAMPLE_CATEGORIES = ['Завтраки', 'Супы', 'Напитки', 'Кофе', 'Лимонады', 'Десерты'];
const EXAMPLE_PRODUCTS = [
  'Сырники со сметаной',
  'Каша овсяная на молоке',
  'Омлет с сыром',
  'Шакшука',
  'Яйца Бенедикт с лососем',
  'Борщ с говядиной',
  'Крем-суп из тыквы',
  'Том ям с креветками',
  'Окрошка на квасе',
  'Эспрессо',
  'Капучино (S)',
  'Капучино (M)',
  'Капучино (L)',
  'Раф (M)',
  'Лимонад классический',
  'Лимонад тархун',
  'Морс клюквенный, кувшин 1 л',
  'Чизкейк Нью-Йорк',
  'Тирамису',
  'Медовик',
];
/** A promotion price in the examples, to show `oldPrice`. */
const EXAMPLE_OLD_PRICES: Record<string, number> = { 'Чизкейк Нью-Йорк': 490 };

function exampleSelection(nomenclature: unknown) {
  const upload = parseIikoNomenclature(nomenclature, { ids: 'guid' });
  const categories = EXAMPLE_CATEGORIES.map((name) => upload.categories.find((category) => category.name === name)!);
  const products = EXAMPLE_PRODUCTS.map((name) => upload.products.find((item) => item.name === name)!);
  const categoryIds = new Set(categories.map((category) => category.id));
  const keepCategories = (item: CatalogProduct) => item.categoryIds.filter((id) => categoryIds.has(id));
  return { categories, products, keepCategories };
}

function jsonCatalog(nomenclature: unknown) {
  const { categories, products, keepCategories } = exampleSelection(nomenclature);
  const ids = (id: string) => ({ ids: { iiko: id } });
  return {
    productCatalog: {
      categories: categories.map((category) => ({
        ...ids(category.id),
        name: category.name,
        ...(category.parentId ? { parentCategory: ids(category.parentId) } : {}),
      })),
      products: products.map((item) => ({
        ...ids(item.id),
        name: item.name,
        ...(item.description ? { description: item.description } : {}),
        price: toDecimal(item.priceMinor!),
        ...(EXAMPLE_OLD_PRICES[item.name] ? { oldPrice: EXAMPLE_OLD_PRICES[item.name] } : {}),
        isAvailable: item.isAvailable,
        categories: keepCategories(item).map(ids),
        customFields: item.customFields,
      })),
    },
  };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function ymlCatalog(nomenclature: unknown): string {
  const { categories, products, keepCategories } = exampleSelection(nomenclature);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<yml_catalog date="${FEED_DATE}">`,
    '  <shop>',
    '    <name>Кафе «Пятый угол»</name>',
    '    <company>ООО «Пятый угол»</company>',
    '    <url>https://cafe.example/</url>',
    '    <currencies>',
    '      <currency id="RUR" rate="1"/>',
    '    </currencies>',
    '    <categories>',
    ...categories.map((category) => {
      const parent = category.parentId ? ` parentId="${escapeXml(category.parentId)}"` : '';
      return `      <category id="${escapeXml(category.id)}"${parent}>${escapeXml(category.name)}</category>`;
    }),
    '    </categories>',
    '    <offers>',
    ...products.flatMap((item) => [
      `      <offer id="${escapeXml(item.id)}" available="${item.isAvailable}">`,
      `        <price>${toDecimal(item.priceMinor!)}</price>`,
      ...(EXAMPLE_OLD_PRICES[item.name] ? [`        <oldprice>${EXAMPLE_OLD_PRICES[item.name]}</oldprice>`] : []),
      '        <currencyId>RUR</currencyId>',
      ...keepCategories(item).map((id) => `        <categoryId>${escapeXml(id)}</categoryId>`),
      `        <name>${escapeXml(item.name)}</name>`,
      ...(item.description ? [`        <description>${escapeXml(item.description)}</description>`] : []),
      ...(item.sku ? [`        <vendorCode>${escapeXml(item.sku)}</vendorCode>`] : []),
      ...Object.entries(item.customFields).map(
        ([name, value]) => `        <param name="${escapeXml(name)}">${escapeXml(String(value))}</param>`,
      ),
      '      </offer>',
    ]),
    '    </offers>',
    '  </shop>',
    '</yml_catalog>',
  ];
  return `${lines.join('\n')}\n`;
}

const nomenclature = buildNomenclature();
writeFileSync(join(EXAMPLES, 'iiko-nomenclature.json'), `${JSON.stringify(nomenclature, null, 2)}\n`);
writeFileSync(join(EXAMPLES, 'catalog.json'), `${JSON.stringify(jsonCatalog(nomenclature), null, 2)}\n`);
writeFileSync(join(EXAMPLES, 'catalog.yml.xml'), ymlCatalog(nomenclature));
