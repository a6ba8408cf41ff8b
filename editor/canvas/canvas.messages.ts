import { translator } from '../i18n.ts';

/** What the canvas says (toolbar, menus, quick-add, search, shortcuts, node markers), in English and Simplified Chinese. */
export const t = translator({
  // Footer toolbar
  'footer.label': { en: 'Canvas', zh: '画布' },
  'footer.zoomOut': { en: 'Zoom out', zh: '缩小' },
  'footer.zoomIn': { en: 'Zoom in', zh: '放大' },
  'footer.zoomReset': { en: 'Zoom to 100 %', zh: '缩放至 100%' },
  'footer.fit': { en: 'Fit to view', zh: '适应画布' },
  'footer.fitTitle': { en: 'Fit to view: show every node of the flow', zh: '适应画布：显示流程的所有节点' },
  'footer.minimap': { en: 'Minimap', zh: '缩略图' },
  'footer.showMinimap': { en: 'Show the minimap', zh: '显示缩略图' },
  'footer.hideMinimap': { en: 'Hide the minimap', zh: '隐藏缩略图' },

  // Node-RED's common node statuses (the server sends them in English, as Node-RED's catalog has them)
  'status.connected': { en: 'connected', zh: '已连接' },
  'status.notConnected': { en: 'not connected', zh: '未连接' },
  'status.disconnected': { en: 'disconnected', zh: '已断开' },
  'status.connecting': { en: 'connecting', zh: '连接中' },
  'status.error': { en: 'error', zh: '错误' },
  'status.ok': { en: 'OK', zh: '正常' },
  // Our nodes' counts ("2 stored, 1 refused"), one part at a time.
  'count.message': { en: '{n, plural, one {# message} other {# messages}}', zh: '{n} 条消息' },
  'count.stored': { en: '{n} stored', zh: '已存储 {n}' },
  'count.refused': { en: '{n} refused', zh: '拒绝 {n}' },
  'count.skipped': { en: '{n} values skipped', zh: '跳过 {n} 个值' },
  'count.queued': { en: '{n} queued', zh: '排队 {n}' },
  'count.valid': { en: '{n} valid', zh: '有效 {n}' },
  'count.invalid': { en: '{n} invalid', zh: '无效 {n}' },
  'count.waiting': { en: '{n} waiting', zh: '等待 {n}' },
  'count.delivered': { en: '{n} delivered', zh: '已送达 {n}' },
  'count.failed': { en: '{n} failed', zh: '失败 {n}' },
  'count.active': { en: '{n} active', zh: '活动 {n}' },
  'count.acknowledged': { en: '{n} acknowledged', zh: '已确认 {n}' },
  'count.started': { en: '{n} started', zh: '已开始 {n}' },
  'count.report': { en: '{n, plural, one {# report} other {# reports}}', zh: '{n} 次上报' },
  'count.last': { en: 'last: {what}', zh: '最近：{what}' },
  // A device's upgrade state, as the ota node shows its last report ("last: hall notified").
  'upgrade.queued': { en: 'queued', zh: '排队中' },
  'upgrade.notified': { en: 'notified', zh: '已通知' },
  'upgrade.downloading': { en: 'downloading', zh: '下载中' },
  'upgrade.flashing': { en: 'flashing', zh: '烧写中' },
  'upgrade.succeeded': { en: 'succeeded', zh: '已成功' },
  'upgrade.failed': { en: 'failed', zh: '已失败' },
  'upgrade.cancelled': { en: 'cancelled', zh: '已取消' },
  'upgrade.timed out': { en: 'timed out', zh: '已超时' },

  // React Flow's own descriptions, for screen readers
  'flow.nodeHelp': {
    en: 'Press enter or space to select a node. Press delete to remove it and escape to cancel.',
    zh: '按 Enter 或空格键选择节点。按 Delete 键删除，按 Esc 键取消。',
  },
  'flow.nodeHelpKeyboard': {
    en: 'Press enter or space to select a node. You can then use the arrow keys to move the node around. Press delete to remove it and escape to cancel.',
    zh: '按 Enter 或空格键选择节点，然后可用方向键移动节点。按 Delete 键删除，按 Esc 键取消。',
  },
  'flow.nodeMoved': { en: 'Moved selected node {direction}. New position, x: {x}, y: {y}', zh: '已将所选节点向{direction}移动。新位置 x：{x}，y：{y}' },
  'flow.edgeHelp': {
    en: 'Press enter or space to select an edge. You can then press delete to remove it or escape to cancel.',
    zh: '按 Enter 或空格键选择连线，然后按 Delete 键删除，或按 Esc 键取消。',
  },
  'flow.up': { en: 'up', zh: '上' },
  'flow.down': { en: 'down', zh: '下' },
  'flow.left': { en: 'left', zh: '左' },
  'flow.right': { en: 'right', zh: '右' },
  'flow.handle': { en: 'Handle', zh: '端口' },

  // Right-click menu
  'menu.label': { en: 'Canvas menu', zh: '画布菜单' },
  'menu.addHere': { en: 'Add node here…', zh: '在此添加节点…' },
  'menu.cut': { en: 'Cut', zh: '剪切' },
  'menu.copy': { en: 'Copy', zh: '复制' },
  'menu.paste': { en: 'Paste', zh: '粘贴' },
  'menu.delete': { en: 'Delete', zh: '删除' },
  'menu.group': { en: 'Group selection', zh: '将所选节点编组' },
  'menu.enable': { en: 'Enable', zh: '启用' },
  'menu.disable': { en: 'Disable', zh: '禁用' },
  'menu.selectConnected': { en: 'Select connected', zh: '选择相连节点' },
  'error.notPasted': { en: 'Nothing pasted: {reason}', zh: '未粘贴：{reason}' },
  'error.notAdded': { en: 'Not added: {reason}', zh: '未添加：{reason}' },

  // Quick-add
  'quickAdd.label': { en: 'Add a node', zh: '添加节点' },
  'quickAdd.input': { en: 'Node type', zh: '节点类型' },
  'quickAdd.placeholder': { en: 'add a node…', zh: '添加节点…' },
  'quickAdd.list': { en: 'Node types', zh: '节点类型' },
  'quickAdd.none': { en: 'No node type matches.', zh: '没有匹配的节点类型。' },

  // Search
  'search.title': { en: 'Search flows', zh: '搜索流程' },
  'search.placeholder': { en: 'label, type, id or property text', zh: '名称、类型、ID 或属性内容' },
  'search.none': { en: 'No node matches.', zh: '没有匹配的节点。' },
  'search.found': { en: '{count} found', zh: '找到 {count} 个' },
  'search.foundMore': { en: '{count}+ found', zh: '找到 {count}+ 个' },
  'search.results': { en: 'Search results', zh: '搜索结果' },
  'search.configNode': { en: 'config node, {tab}', zh: '配置节点，{tab}' },

  // Keyboard shortcuts
  'shortcuts.title': { en: 'Keyboard shortcuts', zh: '键盘快捷键' },
  'keys.ctrlClickCanvas': { en: 'Ctrl+click on the canvas', zh: '在画布上 Ctrl+单击' },
  'keys.rightClick': { en: 'Right-click', zh: '右键单击' },
  'keys.ctrlShiftClick': { en: 'Ctrl+click, Shift+click', zh: 'Ctrl+单击、Shift+单击' },
  'keys.shiftDrag': { en: 'Shift+drag', zh: 'Shift+拖动' },
  'keys.dragPalette': { en: 'Drag from the palette', zh: '从节点库拖出' },
  'shortcut.search': { en: 'Search the flows (all tabs and subflows)', zh: '搜索流程（所有流程页和子流程）' },
  'shortcut.quickAdd': { en: 'Add a node there (quick-add), wired from the selected node', zh: '在该处添加节点（快速添加），并从所选节点连线' },
  'shortcut.menu': {
    en: 'Menu: cut, copy, paste, delete, group, enable/disable, select connected',
    zh: '菜单：剪切、复制、粘贴、删除、编组、启用/禁用、选择相连节点',
  },
  'shortcut.delete': { en: 'Delete the selection', zh: '删除所选内容' },
  'shortcut.copy': { en: 'Copy the selection', zh: '复制所选内容' },
  'shortcut.cut': { en: 'Cut the selection', zh: '剪切所选内容' },
  'shortcut.paste': { en: 'Paste (at the mouse when it is on the canvas)', zh: '粘贴（鼠标在画布上时粘贴到鼠标处）' },
  'shortcut.selectAll': { en: 'Select all nodes of the flow', zh: '选择流程的所有节点' },
  'shortcut.undo': { en: 'Undo', zh: '撤销' },
  'shortcut.redo': { en: 'Redo', zh: '重做' },
  'shortcut.boxSelect': { en: 'Select the nodes in a box', zh: '框选节点' },
  'shortcut.toggleSelect': { en: 'Add a node to the selection, or take it out', zh: '将节点加入或移出所选内容' },
  'shortcut.drop': { en: 'Add a node where it is dropped', zh: '在放下处添加节点' },
  'shortcut.close': { en: 'Close a menu or dialog', zh: '关闭菜单或对话框' },
  'shortcut.help': { en: 'Show this list', zh: '显示此列表' },

  // Nodes on the canvas
  'node.output': { en: 'output {n}', zh: '输出 {n}' },
  'node.locked': { en: 'Locked: only admins change code nodes', zh: '已锁定：只有管理员可以修改代码节点' },
  'node.lockedTitle': {
    en: 'Runs code on the server: only admins (flows:code) change it. You can move, wire or delete it.',
    zh: '在服务器上运行代码：只有管理员（flows:code）可以修改。你可以移动、连线或删除它。',
  },
  'node.public': { en: 'public', zh: '公开' },
  'node.publicTitle': { en: 'Public: anyone can call this endpoint without signing in', zh: '公开：任何人无需登录即可调用此端点' },
  'node.problems': { en: 'Problems: {text}', zh: '问题：{text}' },
  'link.goTo': { en: 'Go to the linked node on {tab}', zh: '转到 {tab} 上的链接节点' },

  // Inject button
  'inject.label': { en: 'Inject {label}', zh: '注入 {label}' },
  'inject.title': { en: 'Inject now', zh: '立即注入' },
  'inject.undeployed': { en: '“{label}” has undeployed changes: deploy first, then inject.', zh: '「{label}」有未部署的修改：请先部署，再注入。' },
  'inject.done': { en: 'Injected: {label}', zh: '已注入：{label}' },
  'inject.failed': { en: 'Not injected: {reason}', zh: '未注入：{reason}' },
});
