import { translator } from '../i18n.ts';

/**
 * What the properties panel says around a node's fields (header, notes, widgets, pickers, node references, the JSON
 * editor), in English and Simplified Chinese. Field titles and help come from the node definitions (nodes/i18n);
 * the core nodes' own forms have core-forms/core-forms.messages.ts.
 */
export const t = translator({
  // Panel
  'panel.label': { en: 'Properties', zh: '属性' },
  'panel.empty': { en: 'Select a node to see its properties.', zh: '选择一个节点以查看其属性。' },
  'panel.gone': { en: 'Node {id} is no longer in the flows.', zh: '节点 {id} 已不在流程中。' },
  'panel.configNode': { en: ' · config node', zh: ' · 配置节点' },
  'panel.showLabel': { en: 'Show label on the canvas', zh: '在画布上显示名称' },
  'panel.locked': {
    en: '<b>Locked.</b> A {type} node runs code on the server, so only admins (permission <code>flows:code</code>) add or change one. You can move it, wire it and delete it.',
    zh: '<b>已锁定。</b>{type} 节点在服务器上运行代码，只有管理员（权限 <code>flows:code</code>）可以添加或修改。你可以移动、连线或删除它。',
  },
  'panel.notInstalled': {
    en: 'Node type "{type}" is not installed: it is kept as it is, and the flows cannot be deployed until it is installed or deleted.',
    zh: '节点类型「{type}」未安装：节点保持原样，在安装或删除之前流程无法部署。',
  },
  'panel.asDeployed': { en: 'Its properties, as deployed:', zh: '已部署的属性：' },
  'panel.noForm': {
    en: "Node type \"{type}\" has no form here: edit its properties as JSON, with Node-RED's property names (see its Node-RED documentation).",
    zh: '节点类型「{type}」在此没有表单：请以 JSON 编辑其属性，属性名与 Node-RED 相同（参见其 Node-RED 文档）。',
  },
  'panel.onCanvas': { en: 'A {kind}: edit it on the canvas.', zh: '{kind}：请在画布上编辑。' },
  'kind.tab': { en: 'tab', zh: '流程页' },
  'kind.subflow': { en: 'subflow', zh: '子流程' },
  'kind.group': { en: 'group', zh: '组' },
  'kind.junction': { en: 'junction', zh: '连接点' },
  'kind.node': { en: 'node', zh: '节点' },
  'kind.config': { en: 'config', zh: '配置节点' },
  'panel.nodeJson': { en: 'Node JSON', zh: '节点 JSON' },
  'panel.problems': { en: 'Node problems', zh: '节点问题' },
  'panel.form': { en: '{type} properties', zh: '{type} 属性' },
  'panel.help': { en: 'Help', zh: '帮助' },
  'field.secret': { en: 'Stored encrypted; leave empty to keep.', zh: '加密保存；留空则保持不变。' },
  'field.secretJson': { en: 'Stored encrypted; leave empty to keep, {} to clear.', zh: '加密保存；留空则保持不变，填 {} 则清空。' },

  // Widgets
  'widget.empty': { en: '(empty)', zh: '（空）' },
  'widget.notSet': { en: '(not set)', zh: '（未设置）' },
  'widget.notAllowed': { en: '{value} (not allowed)', zh: '{value}（不允许）' },
  'widget.listedTwice': { en: '"{key}" is listed twice; the last one wins', zh: '「{key}」出现了两次；以最后一个为准' },
  'widget.rowName': { en: '{field} {n} name', zh: '{field} {n} 名称' },
  'widget.rowValue': { en: '{field} {n} value', zh: '{field} {n} 值' },
  'widget.removeRow': { en: 'Remove {field} {n}', zh: '移除 {field} {n}' },
  'widget.name': { en: 'name', zh: '名称' },
  'widget.value': { en: 'value', zh: '值' },
  'widget.invalidJson': { en: 'Not valid JSON: {reason}', zh: '不是有效的 JSON：{reason}' },
  'widget.unchanged': { en: 'unchanged', zh: '保持不变' },
  // Number fields: `{field}` is the field's title (followed by a space when it ends in a Latin letter); bounds are
  // written as the schema has them (65535, not 65,535).
  'number.needed': { en: '{field} needs a number', zh: '{field}需要填写数字' },
  'number.notNumber': { en: '{field} must be a number', zh: '{field}应为数字' },
  'number.whole': { en: '{field} must be a whole number', zh: '{field}应为整数' },
  'number.atLeast': { en: '{field} must be at least {min}', zh: '{field}不能小于 {min}' },
  'number.atMost': { en: '{field} must be at most {max}', zh: '{field}不能大于 {max}' },
  'number.moreThan': { en: '{field} must be more than {min}', zh: '{field}应大于 {min}' },
  'number.lessThan': { en: '{field} must be less than {max}', zh: '{field}应小于 {max}' },
  'number.multipleOf': { en: '{field} must be a multiple of {step}', zh: '{field}应为 {step} 的倍数' },
  'widget.jsonObject': {
    en: '{field} must be a JSON object, such as {example}',
    zh: '{field} 必须是 JSON 对象，例如 {example}',
  },

  // Node references
  'ref.none': { en: '(none)', zh: '（无）' },
  'ref.allNodes': { en: 'all nodes', zh: '所有节点' },
  'ref.group': { en: 'group', zh: '所在组' },
  'ref.missing': { en: '{id} (not in the flows)', zh: '{id}（不在流程中）' },
  'ref.usedBy': { en: ' — used by {count}', zh: ' — {count} 个节点使用' },
  'ref.addNew': { en: 'Add new {type}…', zh: '新建 {type}…' },
  'ref.edit': { en: 'Edit {label}', zh: '编辑 {label}' },
  'ref.selectedNodes': { en: 'selected nodes', zh: '所选节点' },
  'ref.noOtherNodes': { en: 'No other nodes on this flow.', zh: '此流程上没有其他节点。' },
  'ref.noTypeNodes': { en: 'No {type} nodes.', zh: '没有 {type} 节点。' },

  // Entity pickers
  'pick.productsFailed': { en: 'Could not list products: {reason}', zh: '无法列出产品：{reason}' },
  'pick.anyProduct': { en: '(any product)', zh: '（任意产品）' },
  'pick.chooseProduct': { en: '(choose a product)', zh: '（选择产品）' },
  'pick.loadingProducts': { en: 'Loading products…', zh: '正在加载产品…' },
  'pick.noSuchProduct': { en: ' (no such product)', zh: '（产品不存在）' },
  'pick.productFirst': { en: 'Choose a product to pick one of its devices; empty: every device.', zh: '先选择产品，再从其设备中选择；留空表示所有设备。' },
  'pick.devicesFailed': { en: 'Could not list devices: {reason}', zh: '无法列出设备：{reason}' },
  'pick.anyDevice': { en: '(any device)', zh: '（任意设备）' },
  'pick.chooseDevice': { en: '(choose a device)', zh: '（选择设备）' },
  'pick.loadingDevices': { en: 'Loading devices…', zh: '正在加载设备…' },
  'pick.notOfProduct': { en: ' (not a device of this product)', zh: '（不是该产品的设备）' },
  'pick.firstDevices': { en: 'The first {shown} of {total} devices.', zh: '仅显示 {total} 台设备中的前 {shown} 台。' },
  'pick.property': { en: 'property', zh: '属性' },
  'pick.service': { en: 'service', zh: '服务' },
  'pick.event': { en: 'event', zh: '事件' },
  'pick.typeIdentifier': { en: 'Any product: type the {kind} identifier.', zh: '任意产品：请输入{kind}标识符。' },
  'pick.modelFailed': { en: 'Could not read the thing model: {reason}', zh: '无法读取物模型：{reason}' },
  'pick.noModel': { en: 'Product {product} has no published thing model: type the identifier.', zh: '产品 {product} 没有已发布的物模型：请输入标识符。' },
  'pick.noIdentifier': { en: '(no {kind})', zh: '（无{kind}）' },
  'pick.loadingModel': { en: 'Loading the thing model…', zh: '正在加载物模型…' },
  'pick.notInModel': { en: ' (not in the thing model)', zh: '（不在物模型中）' },

  // Raw config editor
  'raw.label': { en: 'Properties (JSON)', zh: '属性（JSON）' },
  'raw.notJson': { en: 'Not JSON yet: {reason}. Nothing is applied until it is.', zh: '还不是 JSON：{reason}。在改正之前不会应用。' },
  'raw.notObject': { en: 'The properties are one JSON object: { "name": … }.', zh: '属性必须是一个 JSON 对象：{ "name": … }。' },
  'raw.placed': {
    en: '{keys}: set on the canvas, not here. Remove {count, plural, one {it} other {them}}.',
    zh: '{keys}：在画布上设置，而不是在这里。请删除。',
  },

  // Code editor
  'code.line': { en: 'Line {line}', zh: '第 {line} 行' },
  'code.lineColumn': { en: 'Line {line}, column {column}', zh: '第 {line} 行，第 {column} 列' },
});
