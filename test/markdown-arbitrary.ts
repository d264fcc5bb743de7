import fc from 'fast-check';

/** Inline pieces that matter to wikilinks, code spans and escapes. */
const inline = fc.oneof(
  fc.constantFrom(
    'word',
    'two words',
    ' ',
    '  ',
    '[[a]]',
    '[[b#H]]',
    '[[c|al]]',
    '[[d#H 2|x y]]',
    '![[e]]',
    '[[#Local]]',
    '[[',
    ']]',
    '[',
    ']',
    '`',
    '``',
    '`code`',
    '`` a ` b ``',
    '\\[[x]]',
    '\\',
    '*',
    '_',
    '**b**',
    '_[[my_card]]_',
    '[link](u)',
    '<b>',
    '<',
    '>',
    '&amp;',
    '&',
    '!',
    '#',
    '|',
    '](x)',
    'a_b_c',
    '~',
    '~~~',
    '```',
    '1.',
    '- ',
    '[[a\nb]]',
    '[[x`y]]`',
    'é',
    '[]',
    '[[]]',
    '[[ ]]',
  ),
  fc.string({ maxLength: 4 }),
);

const text = fc.array(inline, { minLength: 1, maxLength: 6 }).map((a) => a.join(''));
const indent = fc.constantFrom('', '', '', ' ', '  ', '   ', '    ', '      ');
const info = fc.constantFrom(
  '',
  'ts',
  'ts run',
  'ts run name=a',
  'ts run name=a timeout=10m confirm',
  'ts run verify',
  'ts  run  name=b ',
  'ts runner',
  'typescript run',
  'sh',
  'ts run confrim',
  'ts run name=a',
  'ts run `x`',
  'ts run \\_x',
  'js run name=q',
);

/** One Markdown line, biased to the constructs the scanner models and the ones it must decline. */
const line = fc.oneof(
  { weight: 4, arbitrary: text },
  { weight: 2, arbitrary: fc.tuple(indent, text).map(([i, t]) => i + t) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom('# ', '## ', '### ', '#', '####### ', ' # '),
        text,
        fc.constantFrom('', ' #', ' ##', '#'),
      )
      .map(([h, t, c]) => h + t + c),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(indent, fc.constantFrom('```', '````', '~~~', '``'), info)
      .map(([i, f, n]) => i + f + n),
  },
  {
    weight: 3,
    arbitrary: fc.tuple(indent, fc.constantFrom('```', '````', '~~~')).map(([i, f]) => i + f),
  },
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        indent,
        fc.constantFrom('- ', '* ', '+ ', '1. ', '2. ', '1) ', '10. ', '-', '-     '),
        text,
      )
      .map(([i, m, t]) => i + m + t),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(indent, fc.constantFrom('- ```ts run', '1. ```ts run name=z', '- ~~~'))
      .map(([i, t]) => i + t),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '---',
      '***',
      '___',
      '- - -',
      '===',
      '==',
      '--',
      ' ---',
      '> quote [[q]]',
      '<div>',
      '<!-- [[c]] -->',
      '\t[[tab]]',
      'a  ',
      'a\\',
    ),
  },
);

/** Random Markdown documents (bodies), line by line. */
export const markdownBody = fc.array(line, { maxLength: 14 }).map((ls) => ls.join('\n'));

/** A card: optional frontmatter, then a random body. */
export const markdownCard = fc
  .tuple(
    fc.constantFrom('', '---\ntitle: T\nmodified: 2026-01-01\n---\n', '---\n---\n'),
    markdownBody,
    fc.constantFrom('', '\n', '\n\n'),
  )
  .map(([fm, body, end]) => fm + body + end);

const para = fc.array(text, { minLength: 1, maxLength: 3 }).map((ls) => ls.join('\n'));
const fenced = fc
  .tuple(
    fc.constantFrom('```', '~~~', '````'),
    info,
    fc.array(fc.oneof(text, fc.constant('')), { maxLength: 3 }),
    fc.boolean(),
  )
  .map(([f, i, body, close]) => [f + i, ...body, ...(close ? [f] : [])].join('\n'));
const listItem = fc
  .tuple(
    fc.constantFrom('- ', '* ', '1. ', '2. ', '1) '),
    text,
    fc.option(fenced, { nil: undefined }),
    fc.constantFrom('', '  ', '   '),
  )
  .map(([m, t, f, ind]) => {
    const pad = ' '.repeat(m.length);
    return `${ind}${m}${t}${
      f
        ? `\n${f
            .split('\n')
            .map((l) => (l ? pad + ind + l : l))
            .join('\n')}`
        : ''
    }`;
  });
const block = fc.oneof(
  para,
  fenced,
  fc.array(listItem, { minLength: 1, maxLength: 4 }).map((items) => items.join('\n')),
  fc.tuple(fc.constantFrom('# ', '## ', '### '), text).map(([h, t]) => h + t),
  fc.tuple(para, fc.constantFrom('===', '---')).map(([p, u]) => `${p}\n${u}`),
);

/** Well-formed card bodies: blocks separated by blank lines (or not), to exercise the fast path. */
export const wellFormedCard = fc
  .tuple(
    fc.constantFrom('', '---\ntitle: T\nmodified: 2026-01-01\n---\n'),
    fc.array(fc.tuple(block, fc.constantFrom('\n\n', '\n', '\n\n\n')), { maxLength: 8 }),
  )
  .map(([fm, blocks]) => fm + blocks.map(([b, sep]) => b + sep).join(''));
