import { describe, expect, it } from 'vitest';
import { nodeDefinitions } from '../definitions.ts';
import { configFields } from '../kit/schema-fields.ts';
import { coreNodeHelp } from '../core/core-help.def.ts';
import { coreHelpZh } from './core-help-zh.def.ts';
import { categoriesZh, fieldTextZh, helpIn, localizeField, nodeHelpZh, nodeTextZh, nodeTypeLabelIn, outputLabelsIn } from './node-text.def.ts';

/** Core node types whose help is not yet in Chinese (they show the English help); shrink it, never grow it. */
const HELP_PENDING: readonly string[] = [];

const hasHan = (text: string) => /\p{Script=Han}/u.test(text);

/** The `code` spans of a help text (fenced blocks left out), which a translation keeps as they are. */
const codeSpans = (markdown: string) =>
  (markdown.replace(/```[\s\S]*?```/g, '').replace(/\n\s*/g, ' ').match(/`[^`]+`/g) ?? []).filter((span) => !SPAN_TRANSLATED.has(span)).sort();

/** Code spans whose words the Chinese help translates. */
const SPAN_TRANSLATED = new Set(["`node:<this node's id>`", '`node:<本节点 id>`']);

describe('node definitions in Chinese', () => {
  for (const definition of nodeDefinitions) {
    describe(definition.type, () => {
      const zh = nodeTextZh(definition.type);

      it('has a label (and a palette label when it has one)', () => {
        expect(zh, `no Chinese entry for ${definition.type} in nodes/i18n/`).toBeDefined();
        expect(zh!.label).not.toBe('');
        if (definition.paletteLabel) expect(zh!.paletteLabel ?? zh!.label).not.toBe('');
      });

      it('has its fixed output labels', () => {
        if (definition.outputLabels) expect(zh?.outputLabels?.length, `${definition.type} outputLabels`).toBe(definition.outputLabels.length);
        else expect(zh?.outputLabels).toBeUndefined();
      });

      it('has a title for every field and a description for every field that has one', () => {
        const fields = [...configFields(definition.config, definition.ui), ...(definition.credentials ? configFields(definition.credentials) : [])];
        for (const field of fields) {
          const text = fieldTextZh(definition.type, field.name, field.title);
          expect(text.title, `${definition.type}.${field.name} ("${field.title}") has no Chinese title`).toBeDefined();
          if (field.description !== undefined) {
            expect(text.description, `${definition.type}.${field.name} ("${field.description}") has no Chinese description`).toBeDefined();
          }
        }
      });

      it('names only fields and choices the definition has', () => {
        const fields = new Map(
          [...configFields(definition.config, definition.ui), ...(definition.credentials ? configFields(definition.credentials) : [])].map((f) => [f.name, f]),
        );
        for (const name of Object.keys(zh?.fields ?? {})) expect(fields.has(name), `${definition.type}.${name} is not a field`).toBe(true);
        for (const [name, choices] of Object.entries(zh?.choices ?? {})) {
          const values = new Set((fields.get(name)?.choices ?? []).map((c) => String(c.value)));
          for (const value of Object.keys(choices)) expect(values.has(value), `${definition.type}.${name} has no choice ${value}`).toBe(true);
        }
      });

      it('has its help in Chinese', () => {
        const help = nodeHelpZh(definition.type);
        if (HELP_PENDING.includes(definition.type)) {
          expect(help, `${definition.type} has its Chinese help now: take it off HELP_PENDING`).toBeUndefined();
          return;
        }
        expect(help, `${definition.type} has no Chinese help`).toBeDefined();
        expect(hasHan(help!)).toBe(true);
        // The same headings structure: as many `###` sections as the English.
        expect(help!.match(/^###/gm)?.length ?? 0).toBe(definition.help.match(/^###/gm)?.length ?? 0);
        // Technical tokens (`msg.payload`, codes, flags) stay as they are.
        expect(codeSpans(help!)).toEqual(codeSpans(definition.help));
      });
    });
  }

  it('translates exactly the core help there is', () => {
    expect(Object.keys(coreHelpZh).sort()).toEqual(Object.keys(coreNodeHelp).sort());
  });

  it('leaves only core nodes pending', () => {
    for (const type of HELP_PENDING) expect(nodeDefinitions.find((d) => d.type === type)?.core, type).toBe(true);
  });

  it('names every palette category', () => {
    for (const definition of nodeDefinitions) expect(categoriesZh[definition.category], definition.category).toBeDefined();
  });

  it('keeps English for English and gives Chinese for zh-CN', () => {
    const alert = nodeDefinitions.find((d) => d.type === 'alert')!;
    expect(nodeTypeLabelIn('alert', alert, 'en')).toBe('alert');
    expect(nodeTypeLabelIn('alert', alert, 'zh-CN')).toBe('告警');
    expect(helpIn(alert, 'en')).toBe(alert.help);
    expect(helpIn(alert, 'zh-CN')).toBe(nodeHelpZh('alert'));
    const severity = configFields(alert.config, alert.ui).find((f) => f.name === 'severity')!;
    expect(localizeField('alert', severity, 'en')).toBe(severity);
    const zh = localizeField('alert', severity, 'zh-CN');
    expect(zh.title).toBe('级别');
    expect(zh.choices!.map((c) => [c.value, c.label])).toEqual([['info', '提示'], ['warning', '警告'], ['critical', '紧急']]);
    expect(outputLabelsIn(alert, alert.outputLabels!, 'en')).toEqual(['raised / cleared']);
    expect(outputLabelsIn(alert, alert.outputLabels!, 'zh-CN')).toEqual(['产生 / 清除']);
    expect(outputLabelsIn(alert, ['made from config'], 'zh-CN')).toEqual(['made from config']);
  });

  it('says the words of port labels made from a core node\'s config in Chinese, keeping their data', () => {
    const of = (type: string) => nodeDefinitions.find((d) => d.type === type)!;
    const http = of('http request');
    expect(outputLabelsIn(http, [http.outputLabelsOf!({ ret: 'obj' })![0]!], 'zh-CN')).toEqual(['解析后的 JSON 对象']);
    const inject = of('inject');
    const injectLabel = inject.outputLabelsOf!({ props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }], payloadType: 'date' })!;
    expect(outputLabelsIn(inject, injectLabel, 'zh-CN')).toEqual(['payload: 时间戳\ntopic: 字符串']);
    const sw = of('switch');
    const rules = sw.outputLabelsOf!({ rules: [{ t: 'btwn', v: '1', vt: 'num', v2: '5', v2t: 'num' }, { t: 'else' }, { t: 'eq', v: 'on', vt: 'str' }] })!;
    expect(outputLabelsIn(sw, rules, 'zh-CN')).toEqual(['介于 1 与 5', '其他情况', rules[2]]);
    expect(outputLabelsIn(sw, rules, 'en')).toBe(rules);
  });
});
