import { StandInError } from './stand-in-error.ts';

/** One requirement of a label selector. */
interface Requirement {
  key: string;
  op: '=' | '!=' | 'in' | 'notin' | 'exists' | '!exists';
  values: string[];
}

/** A parsed label selector: every requirement must hold. */
export type LabelSelector = Requirement[];

/**
 * Parses a label selector as given to `-l` (`app=x,tier!=db,env in (a,b),!legacy,has`).
 * @param text the selector
 * @returns the requirements
 */
export function parseLabelSelector(text: string): LabelSelector {
  const out: LabelSelector = [];
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) parts.push(cur);
  for (const raw of parts) {
    const p = raw.trim();
    const inMatch = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p);
    const eqMatch = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(p);
    const notMatch = /^!([\w./-]+)$/.exec(p);
    const hasMatch = /^([\w./-]+)$/.exec(p);
    if (inMatch) {
      out.push({
        key: inMatch[1]!,
        op: inMatch[2] as 'in' | 'notin',
        values: inMatch[3]!.split(',').map((v) => v.trim()),
      });
    } else if (eqMatch) {
      out.push({ key: eqMatch[1]!, op: eqMatch[2] === '!=' ? '!=' : '=', values: [eqMatch[3]!] });
    } else if (notMatch) {
      out.push({ key: notMatch[1]!, op: '!exists', values: [] });
    } else if (hasMatch) {
      out.push({ key: hasMatch[1]!, op: 'exists', values: [] });
    } else {
      throw new StandInError(
        `error: unable to parse requirement: found '${p}', expected: a label selector`,
      );
    }
  }
  return out;
}

/**
 * Whether labels satisfy a selector.
 * @param selector parsed selector
 * @param labels the labels
 * @returns true when every requirement holds
 */
export function matchesSelector(selector: LabelSelector, labels: Record<string, string>): boolean {
  return selector.every((r) => {
    const v = labels[r.key];
    switch (r.op) {
      case '=':
        return v === r.values[0];
      case '!=':
        return v !== r.values[0];
      case 'in':
        return v !== undefined && r.values.includes(v);
      case 'notin':
        return v === undefined || !r.values.includes(v);
      case 'exists':
        return v !== undefined;
      default:
        return v === undefined;
    }
  });
}

/**
 * Whether labels match a `matchLabels` map (a Service or workload selector).
 * @param match the required labels
 * @param labels the labels
 * @returns true when all match (an empty map matches nothing, as for Services)
 */
export function matchesLabels(
  match: Record<string, unknown> | undefined,
  labels: Record<string, string>,
): boolean {
  if (!match || Object.keys(match).length === 0) return false;
  return Object.entries(match).every(([k, v]) => labels[k] === v);
}
