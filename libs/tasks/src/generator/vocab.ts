/** Names and scenes for word problems. ASCII only: a character-level model reads these. */
export interface Person {
  name: string;
  /** she / he */
  sub: string;
  /** her / him */
  obj: string;
  /** her / his */
  pos: string;
}

const she = (name: string): Person => ({ name, sub: 'she', obj: 'her', pos: 'her' });
const he = (name: string): Person => ({ name, sub: 'he', obj: 'him', pos: 'his' });

export const PEOPLE: readonly Person[] = [
  ...['Mia', 'Emma', 'Olivia', 'Ava', 'Sofia', 'Lily', 'Grace', 'Chloe', 'Zoe', 'Nora', 'Ruby', 'Hannah', 'Julia', 'Maya', 'Leah', 'Amara', 'Priya', 'Elena'].map(she),
  ...['Liam', 'Noah', 'Ethan', 'Lucas', 'Mason', 'Leo', 'Jack', 'Owen', 'Ryan', 'Adam', 'Max', 'Sam', 'Ben', 'Omar', 'Diego', 'Kenji', 'Ravi', 'Tom'].map(he),
];

/** What the story counts, what it comes packed in, and verbs for getting and using it. */
export interface Scene {
  item: string;
  items: string;
  container: string;
  containers: string;
  /** Present tense, third person: "picks". */
  get: string;
  /** Present tense, third person: "eats". */
  use: string;
}

export const SCENES: readonly Scene[] = [
  { item: 'apple', items: 'apples', container: 'bag', containers: 'bags', get: 'picks', use: 'eats' },
  { item: 'pencil', items: 'pencils', container: 'box', containers: 'boxes', get: 'buys', use: 'loses' },
  { item: 'sticker', items: 'stickers', container: 'sheet', containers: 'sheets', get: 'gets', use: 'uses' },
  { item: 'cookie', items: 'cookies', container: 'tray', containers: 'trays', get: 'bakes', use: 'eats' },
  { item: 'marble', items: 'marbles', container: 'jar', containers: 'jars', get: 'wins', use: 'loses' },
  { item: 'card', items: 'cards', container: 'pack', containers: 'packs', get: 'buys', use: 'trades away' },
  { item: 'egg', items: 'eggs', container: 'carton', containers: 'cartons', get: 'collects', use: 'uses' },
  { item: 'book', items: 'books', container: 'shelf', containers: 'shelves', get: 'buys', use: 'donates' },
  { item: 'seashell', items: 'seashells', container: 'bucket', containers: 'buckets', get: 'finds', use: 'drops' },
  { item: 'flower', items: 'flowers', container: 'bunch', containers: 'bunches', get: 'picks', use: 'gives away' },
  { item: 'stamp', items: 'stamps', container: 'album', containers: 'albums', get: 'buys', use: 'trades away' },
  { item: 'bead', items: 'beads', container: 'bag', containers: 'bags', get: 'buys', use: 'uses' },
  { item: 'orange', items: 'oranges', container: 'crate', containers: 'crates', get: 'picks', use: 'squeezes' },
  { item: 'toy car', items: 'toy cars', container: 'box', containers: 'boxes', get: 'gets', use: 'gives away' },
  { item: 'cupcake', items: 'cupcakes', container: 'tray', containers: 'trays', get: 'bakes', use: 'eats' },
  { item: 'balloon', items: 'balloons', container: 'pack', containers: 'packs', get: 'buys', use: 'pops' },
];

export const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
