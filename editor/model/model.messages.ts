import { translator } from '../i18n.ts';

/**
 * What the flows' model tells the user (problems of nodes, why a deploy or an edit is refused, why a text is not flow
 * JSON, names it gives new tabs), in English and Simplified Chinese. Called when a message is made, never at load.
 */
export const t = translator({
  // Problems of nodes
  'problem.missingFlow': { en: 'is on flow {z}, which is not in the flows', zh: '所在的流程 {z} 不存在' },
  'problem.notInstalled': { en: 'Node type "{type}" is not installed', zh: '节点类型「{type}」未安装' },
  'problem.missingSubflow': { en: 'Subflow {id} is not in the flows', zh: '子流程 {id} 不在流程中' },
  'problem.codeAdded': {
    en: 'Only admins add {type} nodes: they run code on the server (flows:code). Delete this one, or ask an admin.',
    zh: '只有管理员可以添加 {type} 节点：它们在服务器上运行代码（flows:code）。请删除此节点，或联系管理员。',
  },
  'problem.codeChanged': {
    en: 'Only admins change {type} nodes: they run code on the server (flows:code). Undo the change, or ask an admin.',
    zh: '只有管理员可以修改 {type} 节点：它们在服务器上运行代码（flows:code）。请撤销修改，或联系管理员。',
  },
  'problem.refNode': { en: 'node', zh: '节点' },
  'problem.refTypedNode': { en: '{type} node', zh: '{type} 节点' },
  'problem.missingReference': { en: '{title} refers to {what} {id}, which is not in the flows', zh: '{title}引用的{what} {id} 不在流程中' },
  'blocker.unknownTypes': {
    en: 'Cannot deploy: {count, plural, one {# node uses a type} other {# nodes use types}} not installed here: {types}. Install {installs, plural, one {it} other {them}} or delete those nodes.',
    zh: '无法部署：{count} 个节点使用了此处未安装的节点类型：{types}。请安装这些类型或删除这些节点。',
  },
  'blocker.codeNodes': {
    en: 'Cannot deploy: {count, plural, one {# code node was} other {# code nodes were}} added or changed, which only admins may do (they run code on the server). Undo those changes or delete the nodes; they are marked.',
    zh: '无法部署：添加或修改了 {count} 个代码节点，只有管理员可以这样做（它们在服务器上运行代码）。请撤销这些修改或删除这些节点；它们已被标出。',
  },
  'list.comma': { en: ', ', zh: '、' },
  'type.quoted': { en: '"{type}"', zh: '「{type}」' },
  'list.global': { en: 'global', zh: '全局' },
  'list.missingFlow': { en: 'missing flow {z}', zh: '缺失的流程 {z}' },
  'search.group': { en: 'group', zh: '组' },

  // Refused edits
  'edit.readOnly': { en: 'Read only: your role cannot change flows, so {what} is refused', zh: '只读：你的角色不能修改流程，因此拒绝{what}' },
  'edit.adding': { en: 'adding a {type} node', zh: '添加 {type} 节点' },
  'edit.pasting': { en: 'pasting', zh: '粘贴' },
  'edit.importing': { en: 'importing', zh: '导入' },
  'edit.addingFlow': { en: 'adding a flow', zh: '添加流程' },
  'edit.restoringDraft': { en: 'restoring a draft', zh: '恢复草稿' },
  'edit.noNode': { en: 'No node {id} in the flows', zh: '流程中没有节点 {id}' },
  'edit.idImmutable': { en: "A node's id cannot change (node {id})", zh: '节点的 ID 不能修改（节点 {id}）' },
  'edit.unknownType': { en: 'There is no node type "{type}" to add', zh: '没有可添加的节点类型「{type}」' },
  'edit.notContainer': { en: '{id} is not a tab or subflow', zh: '{id} 不是流程页或子流程' },
  'edit.notTab': { en: '{id} is not a tab', zh: '{id} 不是流程页' },
  'group.nothing': { en: 'Select the nodes to group first', zh: '请先选择要编组的节点' },
  'group.flows': { en: 'The nodes are on different flows', zh: '这些节点位于不同的流程上' },
  'group.groups': { en: 'The nodes are in different groups', zh: '这些节点位于不同的组中' },
  'port.status': { en: 'status', zh: '状态' },
  'port.input': { en: 'input', zh: '输入' },
  'tab.newName': { en: 'Flow {n}', zh: '流程 {n}' },

  // Flow JSON read
  'json.notArray': { en: 'Flow JSON must be an array of nodes, got {what}', zh: '流程 JSON 必须是节点数组，实际为{what}' },
  'json.adminApiHint': { en: ' (this looks like an Admin API v2 answer: import its "flows")', zh: '（这看起来是 Admin API v2 的响应：请导入其中的 "flows"）' },
  'json.invalid': { en: 'Not flow JSON: {reason}', zh: '不是流程 JSON：{reason}' },
  'json.notNode': { en: 'Flow JSON element {index} is {what}, not a node object', zh: '流程 JSON 第 {index} 个元素是{what}，不是节点对象' },
  'json.noId': { en: 'Flow JSON element {index} has no id (a non-empty string)', zh: '流程 JSON 第 {index} 个元素没有 id（非空字符串）' },
  'json.noType': { en: 'Node {id} (element {index}) has no type (a non-empty string)', zh: '节点 {id}（第 {index} 个元素）没有 type（非空字符串）' },
  'json.duplicateId': { en: 'Node id {id} is used twice (elements {first} and {index})', zh: '节点 ID {id} 重复使用（第 {first} 和第 {index} 个元素）' },
  'value.null': { en: 'null', zh: ' null' },
  'value.array': { en: 'an array', zh: '数组' },
  'value.object': { en: 'an object', zh: '对象' },
  'value.other': { en: 'a {type}', zh: ' {type}' },
});
