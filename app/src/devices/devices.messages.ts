import { translator } from '../i18n/messages.ts';

/** What the device list, the add/import/edit dialogs and the tag editor say, in English and Simplified Chinese. */
export const t = translator({
  // The list
  'list.title': { en: 'Devices', zh: '设备' },
  'list.count': { en: '{count, plural, one {# device} other {# devices}}', zh: '{count} 台设备' },
  'list.match': { en: '{shown} of {total} devices match', zh: '{total} 台设备中有 {shown} 台符合条件' },
  'list.import': { en: 'Import devices', zh: '导入设备' },
  'list.add': { en: 'Add device', zh: '添加设备' },
  'list.loading': { en: 'devices', zh: '设备' },
  'list.noProducts.title': { en: 'No products yet', zh: '暂无产品' },
  'list.noProducts.action': { en: 'Go to products', zh: '前往产品' },
  'list.noProducts.writer': {
    en: 'Every device belongs to a product, which says how its devices sign in and what they send (the thing model). Create a product first, then add its devices here.',
    zh: '每台设备都属于一个产品，产品规定其设备如何登录、上报什么数据（物模型）。请先创建产品，再在这里添加设备。',
  },
  'list.noProducts.reader': {
    en: 'Every device belongs to a product, which says how its devices sign in and what they send (the thing model). An engineer or admin creates products; devices follow.',
    zh: '每台设备都属于一个产品，产品规定其设备如何登录、上报什么数据（物模型）。产品由工程师或管理员创建，之后才能添加设备。',
  },
  'list.noMatch.title': { en: 'No devices match these filters', zh: '没有符合筛选条件的设备' },
  'list.noMatch.body': { en: 'Try another search or fewer filters.', zh: '请换个搜索词或减少筛选条件。' },
  'list.clearFilters': { en: 'Clear filters', zh: '清除筛选' },
  'list.empty.title': { en: 'No devices yet', zh: '暂无设备' },
  'list.empty.importCsv': { en: 'Import from CSV', zh: '从 CSV 导入' },
  'list.empty.writer': {
    en: 'Add a device to get the secret it signs in with, or import many at once from a CSV file.',
    zh: '添加设备即可获得其登录用的密钥，也可以从 CSV 文件批量导入。',
  },
  'list.empty.reader': { en: 'Devices show up here once an engineer or admin adds them.', zh: '工程师或管理员添加设备后，设备会显示在这里。' },

  // Filters
  'filter.label': { en: 'Filter devices', zh: '筛选设备' },
  'filter.searchPlaceholder': { en: 'Device name or description', zh: '设备名称或描述' },
  'filter.allProducts': { en: 'All products', zh: '全部产品' },
  'filter.unknownProduct': { en: '{productKey} (unknown)', zh: '{productKey}（未知）' },
  'filter.anyStatus': { en: 'Any status', zh: '全部状态' },
  'filter.any': { en: 'Any', zh: '全部' },
  'filter.tagFilters': { en: 'Tag filters', zh: '标签筛选' },
  'filter.tagged': { en: 'Tagged', zh: '标签' },
  'filter.removeTag': { en: 'Remove tag filter {label}', zh: '移除标签筛选 {label}' },

  // Fields and columns
  'field.status': { en: 'Status', zh: '状态' },
  'field.name': { en: 'Name', zh: '名称' },
  'field.product': { en: 'Product', zh: '产品' },
  'field.description': { en: 'Description', zh: '描述' },
  'field.tags': { en: 'Tags', zh: '标签' },
  'field.lastSeen': { en: 'Last seen', zh: '最后上线' },
  'field.enabled': { en: 'Enabled', zh: '启用状态' },
  'field.deviceName': { en: 'Device name', zh: '设备名称' },
  'field.deviceSecret': { en: 'Device secret', zh: '设备密钥' },
  'field.device': { en: 'Device', zh: '设备' },
  'field.line': { en: 'Line', zh: '行号' },
  'field.field': { en: 'Field', zh: '字段' },
  'field.problem': { en: 'Problem', zh: '问题' },
  'field.result': { en: 'Result', zh: '结果' },
  'field.deviceNamePlaceholder': { en: 'e.g. room-101', zh: '例如 room-101' },
  'field.descriptionPlaceholder': { en: 'Where it is, what it measures', zh: '安装位置、测量内容' },
  'field.deviceNameHint': {
    en: 'Letters, digits and _ . : @ - (at most 64). Leave empty to have one generated.',
    zh: '字母、数字和 _ . : @ -（最多 64 个字符）。留空则自动生成。',
  },
  'pattern.deviceName': {
    en: 'may hold only letters, digits and _ . : @ - (1 to 64 characters)',
    zh: '只能包含字母、数字和 _ . : @ -（1 到 64 个字符）',
  },
  'pattern.productKey': {
    en: 'may hold only letters, digits, _ and - (1 to 32 characters)',
    zh: '只能包含字母、数字、_ 和 -（1 到 32 个字符）',
  },

  // The table
  'status.neverConnected': { en: 'never connected', zh: '未激活' },
  'status.neverConnectedOption': { en: 'Never connected', zh: '未激活' },
  'table.now': { en: 'now', zh: '当前在线' },
  'table.yes': { en: 'yes', zh: '是' },
  'table.disabled': { en: 'disabled', zh: '已禁用' },
  'table.showTagged': { en: 'Show only devices tagged {key} = {value}', zh: '只显示标签为 {key} = {value} 的设备' },

  // Add device
  'add.created': { en: 'Device created', zh: '设备已创建' },
  'add.createdDescription': {
    en: 'Device <name>{deviceName}</name> of product <key>{productKey}</key> is ready to connect.',
    zh: '产品 <key>{productKey}</key> 的设备 <name>{deviceName}</name> 已可以连接。',
  },
  'add.another': { en: 'Add another', zh: '继续添加' },
  'add.done': { en: 'Done', zh: '完成' },
  'add.description': {
    en: 'The device signs in with its product key, its name and the secret shown after you add it.',
    zh: '设备使用其 ProductKey、设备名称以及添加后显示的密钥登录。',
  },
  'add.adding': { en: 'Adding…', zh: '正在添加…' },
  'secret.onceAdmin': {
    en: '<b>Copy the device secret now: it is shown only this once.</b> As an admin you can reveal it again on the device page (the reveal is audited).',
    zh: '<b>请立即复制设备密钥：它只显示这一次。</b>作为管理员，你可以在设备页面再次查看（查看操作会记入审计日志）。',
  },
  'secret.onceOther': {
    en: '<b>Copy the device secret now: it is shown only this once.</b> Later only an admin can reveal it, on the device page.',
    zh: '<b>请立即复制设备密钥：它只显示这一次。</b>之后只有管理员能在设备页面查看它。',
  },
  'secret.openPage': {
    en: '<link>Open the device page</link> <rest>to see it connect and to send it commands.</rest>',
    zh: '<link>打开设备页面</link><rest>，查看其连接情况并向其发送指令。</rest>',
  },

  // Edit device
  'edit.title': { en: 'Edit {name}', zh: '编辑 {name}' },
  'edit.description': {
    en: 'What people see of this device and the tags it is grouped and filtered by.',
    zh: '设备的描述，以及用于分组和筛选设备的标签。',
  },
  'edit.form': { en: 'Edit device', zh: '编辑设备' },

  // Tags
  'tags.needsKey': { en: 'The tag with value "{value}" needs a key.', zh: '值为「{value}」的标签缺少键。' },
  'tags.badKey': {
    en: 'The key "{key}" may hold only letters, digits, "_", "." and "-" (up to 64).',
    zh: '键「{key}」只能包含字母、数字、“_”、“.” 和 “-”（最多 64 个字符）。',
  },
  'tags.badValue': {
    en: 'The value of "{key}" may not contain ";" and holds up to 256 characters.',
    zh: '键「{key}」的值不能包含“;”，最多 256 个字符。',
  },
  'tags.twice': { en: 'The key "{key}" appears twice.', zh: '键「{key}」重复出现。' },
  'tags.keyLabel': { en: 'Tag {n} key', zh: '标签 {n} 的键' },
  'tags.valueLabel': { en: 'Tag {n} value', zh: '标签 {n} 的值' },
  'tags.keyPlaceholder': { en: 'key, e.g. building', zh: '键，例如 building' },
  'tags.valuePlaceholder': { en: 'value, e.g. north', zh: '值，例如 north' },
  'tags.remove': { en: 'Remove tag {n}', zh: '移除标签 {n}' },
  'tags.add': { en: 'Add tag', zh: '添加标签' },
  'tags.hint': { en: 'Labels to group and filter devices by, such as <code>building = north</code>.', zh: '用于对设备分组和筛选的标签，例如 <code>building = 北楼</code>。' },

  // Import
  'import.fileUnreadable': { en: '"{name}" could not be read: {message}', zh: '无法读取「{name}」：{message}' },
  'import.imported': { en: '{count, plural, one {# device} other {# devices}} imported', zh: '已导入 {count} 台设备' },
  'import.importedDescription': {
    en: 'Every row was created. Each device signs in with its product key, its name and the secret below.',
    zh: '所有行均已创建。每台设备使用其 ProductKey、设备名称和下方的密钥登录。',
  },
  'import.description': {
    en: 'Create many devices from a CSV file. Every row is checked first: if any row has a problem, nothing is created and each problem is listed here.',
    zh: '从 CSV 文件批量创建设备。系统会先检查每一行：只要有一行有问题，就不会创建任何设备，并在这里列出所有问题。',
  },
  'import.importing': { en: 'Importing…', zh: '正在导入…' },
  'import.importCount': { en: 'Import {count, plural, one {# device} other {# devices}}', zh: '导入 {count} 台设备' },
  'import.file': { en: 'CSV file', zh: 'CSV 文件' },
  'import.text': { en: 'CSV text', zh: 'CSV 文本' },
  'import.loadedFrom': { en: 'Loaded from "{name}"; you can edit it here before importing.', zh: '已从「{name}」载入，导入前可在此修改。' },
  'import.pasteHint': { en: 'Paste the rows here, or choose a file above.', zh: '在此粘贴各行，或在上方选择文件。' },
  'import.format': { en: "The file's format", zh: '文件格式' },
  'import.formatBody': {
    en: 'The first line names the columns: <code>{columns}</code>. <b>productKey</b> is required; an empty <b>deviceName</b> gets a generated name; <b>tags</b> are written <code>key=value;key=value</code>. At most {max} devices per file.',
    zh: '第一行为列名：<code>{columns}</code>。<b>productKey</b> 必填；<b>deviceName</b> 为空时自动生成名称；<b>tags</b> 写作 <code>key=value;key=value</code>。每个文件最多 {max} 台设备。',
  },
  'import.example': { en: 'Example CSV', zh: 'CSV 示例' },
  'import.downloadTemplate': { en: 'Download template', zh: '下载模板' },
  'preview.label': { en: 'Preview', zh: '预览' },
  'preview.count': { en: '<b>{count, plural, one {# device} other {# devices}}</b> in the file.', zh: '文件中有 <b>{count} 台设备</b>。' },
  'preview.countFirst': {
    en: '<b>{count, plural, one {# device} other {# devices}}</b> in the file; the first {shown} are shown.',
    zh: '文件中有 <b>{count} 台设备</b>，显示前 {shown} 台。',
  },
  'preview.tooMany': { en: ' That is more than one import takes; split the file.', zh: '超出了单次导入的上限，请拆分文件。' },
  'preview.rows': { en: 'Rows to import', zh: '待导入的行' },
  'problems.label': { en: 'Problems', zh: '问题' },
  'problems.headOf': {
    en: '{bad} of {rows, plural, one {# row} other {# rows}} {bad, plural, one {has} other {have}} problems. Nothing was created.',
    zh: '{rows} 行中有 {bad} 行存在问题，未创建任何设备。',
  },
  'problems.head': {
    en: '{bad, plural, one {# row has} other {# rows have}} problems. Nothing was created.',
    zh: '{bad} 行存在问题，未创建任何设备。',
  },
  'problems.fix': { en: 'Fix these lines (the header is line 1), then import again.', zh: '请修改这些行（标题行为第 1 行），然后重新导入。' },
  'problems.byRow': { en: 'Problems by row', zh: '各行问题' },
  'problems.wholeRow': { en: 'whole row', zh: '整行' },
  'problems.more': { en: 'And {count} more problems.', zh: '另有 {count} 个问题。' },
  'result.secretsAdmin': {
    en: '<b>The secrets are shown only now.</b> Download them before you close this. As an admin you can reveal a secret again on its device page.',
    zh: '<b>密钥只在此时显示。</b>关闭前请先下载。作为管理员，你可以在设备页面再次查看密钥。',
  },
  'result.secretsOther': {
    en: '<b>The secrets are shown only now.</b> Download them before you close this. Later only an admin can reveal a secret, on its device page.',
    zh: '<b>密钥只在此时显示。</b>关闭前请先下载。之后只有管理员能在设备页面查看密钥。',
  },
  'result.downloadAgain': { en: 'Download again', zh: '再次下载' },
  'result.download': { en: 'Download secrets as CSV', zh: '下载密钥（CSV）' },
  'result.table': { en: 'Imported devices', zh: '已导入的设备' },
  'result.created': { en: 'created', zh: '已创建' },
  'result.firstShown': { en: 'The first {shown} are shown; the download holds all {total}.', zh: '仅显示前 {shown} 台；下载的文件包含全部 {total} 台。' },

  // CSV preview problems
  'csv.unknownColumn': { en: '"{name}" is not a column the import knows ({columns}).', zh: '「{name}」不是导入支持的列（{columns}）。' },
  'csv.noHeader': { en: 'The first line must be the header and name a productKey column.', zh: '第一行必须是标题行，并包含 productKey 列。' },
});
