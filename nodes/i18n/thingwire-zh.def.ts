/**
 * Thingwire's own nodes in Simplified Chinese: labels, form fields and help, by node type. The English stays in each
 * `*.def.ts`; see `node-text.def.ts`. Browser-safe.
 */
import type { NodeZh } from './node-text.def.ts';

const mqttListenerHelp = `内置的 MQTT Broker，供设备连接（MQTT 3.1.1 和 5；TCP，可选 TLS 和 WebSocket）。

设备用设备密钥按 Alink 或 things 签名登录（见 README），只能在自己的主题内发布和订阅。设备的消息送到 **设备输入**
节点；**设备输出** 节点向设备下发指令。

### 属性
- **端口**、**主机**：MQTT over TCP 的监听地址（默认 1883）。
- **TLS 端口**、**证书**、**私钥**：提供 PEM 证书和私钥时启用 MQTT over TLS（8883）；0 表示关闭。
- **WebSocket 路径**：在平台 HTTP 端口上提供 MQTT over WebSocket（\`ws://host:1880/mqtt\`）；为空表示关闭。
- **最大消息**：超过的消息回复 400，不做处理；报文比上限大 64 KB 以上时，一旦报文头声明了大小就断开连接
  （MQTT 5：DISCONNECT 0x95），不读入内存。
- **单设备速率**：每秒消息数（允许两倍的突发）；超出时回复设备 429。0 表示不限。
- **心跳范围**：设备可申请的心跳秒数范围；超出则拒绝该设备。
- **回复超时**：流程应答设备消息（接受或拒绝）的时限；超时后该消息在设备消息日志中记为 504，要求回复
  （\`ack\`）的设备收到 504。QoS 1 消息在应答产生并落盘后才确认（PUBACK）。
- **登录超时**、**最大登录中连接数**：连接须在此时间内发送有效的 CONNECT；同时登录中的连接最多这么多（CONNECT
  本身限 64 KB）。一分钟内登录失败 20 次的地址封禁 5 分钟。

监听器跨部署保持运行：重新部署时，只要端口、主机、TLS 或 WebSocket 路径不变，所有设备保持连接（其他设置立即生效）。
改动其中之一会重启监听器。`;

const httpListenerHelp = `用 HTTP 接入、不保持 MQTT 连接的设备（阿里云 IoT 的 HTTP 接入方式）。

设备用与 MQTT 相同的签名登录并获取 token；之后每条消息带上 token 提交，并在响应中收到它在 MQTT 上会收到的回复。
设备的消息送到 **设备输入** 节点（\`msg.thing.protocol\` 为 \`http\`），与 MQTT 设备走同样的流程。

- \`POST {path}/auth\`：\`{productKey, deviceName, clientId, timestamp, signmethod, sign}\`（things 方言：
  \`{productKey, deviceName, password}\`）→ \`{"code":0,"info":{"token":"…","expiresAt":…}}\`。
- \`POST {path}/topic/{topic}\`，请求头 \`password: {token}\`，请求体为消息报文 → 回复报文；HTTP 状态码即其 code
  （200 已存储，400，403，413，422 值无效，429，503，504）。
- \`GET {path}/commands?wait=30\`，请求头 \`password\` → \`{"code":0,"data":[{"topic","payload"}]}\`：等待该设备的指令
  （由设备向其 \`_reply\` 主题提交来回复）；没有等待的指令时，最多等待 \`wait\` 秒（最多 60）再应答。向轮询指令的设备
  下发指令时选择 **离线时：排队**，指令会等到下次轮询，而不是超时失败。

### 属性
- **端口**：0（默认）表示在平台 HTTP 端口的 **路径** 下提供这些路由；其他端口则单独起一个服务器，绑定到 **主机**。
- **最大请求体**：超过的提交回复 413，不做处理。
- **Token 有效期**：\`/auth\` 颁发的 token 的有效时长；设备收到 401 时重新登录。
- **在线窗口**：设备最后一次请求在此时间之内即视为在线（它不保持连接）。应大于设备的上报间隔，否则每次提交都会显示
  一次上线和一次下线。
- **单设备速率**：每秒消息数（允许两倍的突发）；超出时回复设备 429。0 表示不限。
- **回复超时**：流程应答一次提交的时限，超时回复 504。

每个端口一个 HTTP 监听器。重新部署时保持设备的在线状态，除非端口、主机或路径改变。`;

const coapListenerHelp = `用 CoAP over UDP 接入的设备（阿里云 IoT 的 CoAP 接入方式），适合资源受限的设备和丢包的链路。

设备用与 MQTT 相同的签名登录并获取 token；之后每条消息在 CoAP 选项 2088 中带上 token 提交，并在响应中收到它在 MQTT
上会收到的回复。设备的消息送到 **设备输入** 节点（\`msg.thing.protocol\` 为 \`coap\`），与 MQTT 设备走同样的流程。

- \`POST /auth\`：\`{productKey, deviceName, clientId, timestamp, signmethod, sign}\`（things 方言：
  \`{productKey, deviceName, password}\`）→ 2.05 \`{"code":0,"info":{"token":"…","expiresAt":…}}\`。
- \`POST /topic/{topic}\`，选项 2088 = token，负载为消息报文 → 回复报文；响应码随其 code（2.04 已存储，4.00，4.03，
  4.13，4.22 值无效，4.29，5.03，5.04）。支持可确认和不可确认请求；超过一个数据报的请求体按块传输（Block1）。
- \`GET /commands\`，选项 2088，Observe 0 → 每批指令一条通知 \`{"code":0,"data":[{"topic","payload"}]}\`（由设备向其
  \`_reply\` 主题提交来回复）；不带 Observe：一次性返回等待中的指令。向 CoAP 设备下发指令时选择 **离线时：排队**，
  指令会等到下次观察。

不支持 DTLS：请绑定在只有你的设备能访问的地方（内网、VPN），或在前面放一个 DTLS 终结器。

### 属性
- **端口**：UDP 端口（CoAP 的标准端口是 5683）。
- **主机**：套接字绑定的地址。
- **最大请求体**：超过的提交（包括分块传输的）回复 4.13，不做处理。
- **Token 有效期**：\`/auth\` 颁发的 token 的有效时长；设备收到 4.01 时重新登录。
- **在线窗口**：设备最后一次请求在此时间之内，或正在观察其指令时，视为在线。
- **单设备速率**：每秒消息数（允许两倍的突发）；超出时回复设备 4.29。0 表示不限。
- **回复超时**：流程应答一次提交的时限，超时回复 5.04。

每个端口一个 CoAP 监听器。重新部署时保持设备的在线状态和观察，除非端口或主机改变。`;

const udpListenerHelp = `发送普通 UDP 数据报的设备（NB-IoT 模组、LoRa 网关、低功耗传感器）。每个数据报是一条消息，不保持任何连接。

**登录。** 设备发送一个 JSON 数据报，字段与 HTTP 登录相同，
\`{productKey, deviceName, clientId, timestamp, signmethod, sign}\`（things 方言：\`{productKey, deviceName,
password}\`），应答为 \`{"code":0,"message":"success","info":{"token":"…","expiresAt":…}}\` 或
\`{"code":401,"message":"not authorized"}\`。**产品** 有已发布的数据解析脚本时，其 \`decode\` 解析为 \`login\` 的数据报
也可登录，应答为其 \`encode\` 对 \`{kind: 'reply', request: 'login', code, message, token}\` 的编码。

**上报。** 开启 **绑定地址** 时，登录会在设备的在线窗口内把源地址和端口绑定到该设备：之后来自该地址的数据报都属于
该设备。产品有已发布的数据解析脚本时，这些数据报是由脚本解码的字节；否则为 \`{"topic": "…", "payload": {…}}\`，
与设备在 MQTT 上发布的一样，应答为 \`{"topic": "…_reply", "payload": {…}}\`。从任意地址发送
\`{"token": "…", "topic": "…", "payload": {…}}\` 都以 token 所属设备的身份上报（并改为绑定该地址）。消息送到
**设备输入** 节点（\`msg.thing.protocol\` 为 \`udp\`），与 MQTT 设备走同样的流程。

**指令** 在设备在线时以数据报发往设备地址（解析脚本编码的字节，或 \`{"topic", "payload"}\`）；否则等待设备的下一个
数据报：下发时选择 **离线时：排队**。

在设备身份确认之前，应答的字节数绝不超过所应答的数据报（超出则不应答），因此伪造的源地址无法把平台变成放大器。源地址
可以被盲目伪造：绑定意味着在在线窗口内信任该地址，适合内网或运营商专用 APN 上的设备；关闭它则只接受带 token 的数据报。

### 属性
- **端口**、**主机**：UDP 套接字绑定的位置。
- **产品**：用其数据解析脚本读取未绑定地址发来的数据报（脚本 \`login\`）；为空：只接受 JSON 登录。
- **绑定地址**：见上文。
- **最大数据报**：更大的数据报被丢弃（来自已绑定地址的，在设备消息日志中记为 413）。
- **单地址速率**：每个源 IP 每秒的数据报数（允许两倍的突发）；超出的不读取直接丢弃。0 表示不限。
- **最大绑定地址数**：再绑定一个时，忘掉沉默最久的那个。
- **Token 有效期**、**在线窗口**、**单设备速率**、**回复超时**：同 HTTP 监听器；绑定在在线窗口或 token 到期时结束，
  以先到者为准。

每个端口一个 UDP 监听器。重新部署时保持绑定和在线状态，除非端口或主机改变。丢弃计数见 \`/metrics\`
（\`thingwire_udp_*\`）。`;

const tcpListenerHelp = `通过普通 TCP 发送字节的设备：现场设备、串口转 TCP 模块，以及任何不能使用 MQTT 的设备。每个连接对应一台设备。

字节流被切分为 **帧**（见 *分帧方式*）；平台发回的所有内容也按同样方式分帧。**第一帧用于登录**：JSON
\`{productKey, deviceName, clientId, timestamp, signmethod, sign}\`（things 方言：\`{productKey, deviceName, password}\`），
签名与 MQTT 相同，应答为 \`{"code":0,"message":"success"}\` 或 \`{"code":401,"message":"not authorized"}\`（并断开）。
**产品** 指定了有已发布数据解析脚本的产品时，第一帧也可以是二进制：脚本的 \`decode\` 返回
\`{kind: 'login', params: {deviceName, sign, …}}\`，应答为脚本 \`encode\` 对
\`{kind: 'reply', request: 'login', code, message}\` 的编码。

登录后由设备自己的产品决定：有已发布的数据解析脚本时，每帧经其 \`decode\` 解码，指令经其 \`encode\` 编码；没有时，
每帧是 JSON \`{"topic": "…", "payload": {…}}\`，与设备在 MQTT 上发布的完全一样，应答为
\`{"topic": "…_reply", "payload": {…}}\`，指令也以同样的 \`{topic, payload}\` JSON 下发。消息送到 **设备输入** 节点
（\`msg.thing.protocol\` 为 \`tcp\`）。

### 属性
- **端口**、**主机**：TCP 服务器的监听位置。
- **分帧方式**：\`newline\`（LF；其前的 CR 会被去掉），\`length16\` / \`length32\`（大端长度前缀，不含前缀本身），
  \`fixed\`（每帧 **固定帧长** 字节），\`codec\`（产品数据解析脚本的 \`frame(bytes)\`）。
- **最大帧**：更长的帧，或声明更长长度的前缀，会在读取前断开连接。
- **产品**：在登录前用其数据解析脚本读取帧的产品（脚本登录；codec 分帧时的 \`frame\`）。
- **登录超时**、**最大登录中连接数**：未按时登录的连接被断开；超过上限时新连接立即断开。
- **空闲超时**：这么久没有发送任何帧的设备被断开（上下线记录：\`keepalive-timeout\`）。
- **单设备速率**：每秒帧数（允许两倍的突发）；超出的帧以 429 拒绝。0 表示不限。
- **最大未发送字节**：不读取下发内容的设备，待发送字节超过此值即断开。
- **回复超时**：要求应答的消息，流程须在此时间内应答，否则回复 504。

重新部署时设备保持连接，除非端口、主机或分帧方式改变。不支持 TLS：请绑定在只有你的设备能访问的地方，或在前面放一个
TLS 终结器。`;

const modbusPollerHelp = `作为主站读取 Modbus 从站（TCP、串口 RTU、RTU over TCP），并把读到的值作为设备的属性上报：送到 **设备输入** 节点
（\`msg.thing.protocol\` 为 \`modbus\`），与 MQTT 设备的上报一样经过校验、存储和告警。

它轮询每台已启用、配置了 Modbus 连接（主机和端口或串口路径、从站地址、轮询间隔：在设备上设置，
\`PUT /api/v1/devices/{pk}/{dn}/modbus\`）且其产品有点位表（\`PUT /api/v1/products/{pk}/modbus/points\`）的设备，
从两者任一保存时开始；详见 docs/modbus.md。向这类设备设置属性（设备输出节点、API）会变成对其可写点位的写入，
并以写入结果（包括从站的异常）应答。

设备从第一次轮询得到应答起为 **在线**，连续 *离线前失败次数* 次轮询无应答后为 **离线**（最后一次失败，如
\`timeout after 1000 ms\` 或 \`exception 11: gateway target device failed to respond\`，作为其上下线记录中的原因）；
离线设备的重试等待随每次失败翻倍，最长为 *退避上限*。

### 属性
- **离线前失败次数**：设备转为离线前连续无应答的轮询次数。
- **请求超时**：单个请求的最长时间，用于连接中未设置超时的设备。
- **每个 TCP 连接的并发请求数**：一个 Modbus TCP 连接同时承载的请求数（同一网关后的设备共用其连接）。串口和 RTU over
  TCP 总是一次一个。
- **退避上限**：离线设备两次轮询之间的最长等待。
- **产品**：只轮询这些产品的设备；不选：所有产品。有多个轮询节点时，设备由第一个接管其产品的节点轮询。

重新部署时保留每台设备的轮询状态和会话，除非节点被删除。`;

const deviceInHelp = `来自设备的消息，无论经由哪个监听器、哪种方言。

### 输出
\`msg.payload\`：消息的参数（属性值、事件数据、回复的数据，状态变化时为 \`{status}\`）。\`msg.thing\`：其余信息：
\`productKey\`、\`deviceName\`、\`kind\`、\`eventId\` / \`serviceId\`、\`id\`、\`deviceTime\`、\`receivedAt\`、\`protocol\`、
\`dialect\`、\`ack\` 和 \`replyToken\`（设备对指令的回复上没有）。\`msg.topic\` 为 \`productKey/deviceName/kind\`。

第一个接受或拒绝该消息的节点给出它的结果（**物模型校验** 失败为 422，存储为 200）；在监听器的回复超时内无人应答
则结果为 504。没有任何设备输入节点接收的消息（都被筛掉）立即回复 503。结果记入设备的消息日志，设备要求回复
（\`ack\`）时发给设备。QoS 1 消息在有结果后才确认（PUBACK）：从不应答的流程会把设备的确认拖到回复超时。

### 属性
- **产品**、**设备**：只接收该产品 / 设备的消息；为空：全部。
- **消息类型**：只接收这些类型的消息；不选：全部。
- **方言**：只接收使用该方言的设备。`;

const deviceOutHelp = `以设备自己的方言向设备发送指令，并等待其回复。

### 输入
\`msg.payload\`：要设置的属性、服务的输入参数，或原始字节（Buffer，或 base64 字符串，会被解码；不是 base64 的字符串
从输出 2 以 400 拒绝）。
目标设备为节点的 **产品** / **设备**，否则为 \`msg.thing.productKey\` / \`msg.thing.deviceName\`（这样可以用指令回应
设备自己的消息）。**指令** 为 *取自消息* 时，\`msg.command\` 为 \`property.set\`、\`service.invoke\` 或 \`raw.down\`，
\`msg.serviceId\` 指定服务。

### 输出
1. **回复**：设备应答 200；\`msg.payload\` 为其回复数据，\`msg.reply\` = \`{id, code, data}\`。原始下行没有回复：发送后
   从这里输出，\`msg.reply.code\` 为 202。
2. **错误**：设备应答了其他 code、未按时应答（504）、离线（503）、排队的指令过期（410），或指令无法按给定内容发送
   （400：例如属性不是对象）；\`msg.error = {code, message}\`。不符合产品已发布物模型的属性设置或服务调用（属性不存在
   或只读、值超出范围或不在枚举中、未知服务或输入参数）不会发送：422，每个失败字段列在 \`msg.error.details\` =
   \`[{field, reason}]\`（\`field\` 形如 \`params.mode\`）。没有已发布物模型的产品不做检查。原始下行不做检查。

### 属性
- **指令**：设置属性、调用服务（在 **服务** 中指定）、原始下行，或取自消息。
- **超时**：等待回复的时长。
- **离线时**：*排队* 在 **排队有效期** 内保留指令，设备重连时下发；*失败* 立即回复 503。

指令按设备能接收的方式送达：发布到其 MQTT 连接、交给其下一次轮询（HTTP 设备：\`GET /device/commands\`），或推送到其
观察（CoAP）。处于两次轮询之间的设备在线但无法到达：指令等待下一次轮询，最长 **超时**，选择 *排队* 时最长
**排队有效期**。`;

const deviceReplyHelp = `给设备消息一个结果（如果还没有节点给出）：记入设备的消息日志，设备要求回复（\`ack\`）时发给设备。

第一个接受或拒绝设备消息的节点给出应答：**物模型校验** 以 422 拒绝，存储在数据提交后以 200 接受。流程以其他方式
接受消息（转发、交给其他系统）时使用本节点，让设备收到 200、消息日志显示 200，而不是在回复超时后显示 504。

### 输入
来自 **设备输入** 的消息（带有 \`msg.thing.replyToken\`）。开启 **发送 payload** 时回复数据为 \`msg.payload\`，否则为
\`{}\`。

### 输出
原样输出消息；本节点的应答成为结果（即设备收到的那个，如果设备要求了）时，\`msg.replied\` 为 true。

### 属性
- **代码**：200 表示接受；或设备协议的错误码（400、404、422、429、500）。
- **消息**：回复的 \`message\` 文本。`;

const thingValidateHelp = `按产品已发布的物模型校验设备消息。

### 输入
来自 **设备输入** 节点的设备消息：\`msg.payload\` 为参数，\`msg.thing\` 为其余信息（\`productKey\`、\`deviceName\`、
\`kind\`、\`eventId\` / \`serviceId\`、时间、回复 token）。

### 输出
1. **有效**：payload 规范化后的消息：
   - \`property.post\`：\`msg.payload\` 为 \`{identifier: value}\`，\`msg.thing.values\` 列出每个值及其时间（设备时间，
     否则为接收时间）；选择 *丢弃* 时，\`msg.thing.dropped\` 列出被去掉的标识符；
   - \`event.post\`：\`msg.payload\` 为事件的输出数据；设备时间移到 \`msg.thing.deviceTime\`；
   - \`service.reply\`：\`msg.payload\` 为服务的输出数据；
   - 其他类型（OTA、状态、设置回复）原样通过。
2. **无效**：消息带有 \`msg.error = {code, message, details}\` 和 \`msg.thing.replyCode\`（回复设备的代码）：**400**
   格式错误，**404** 未知的属性、事件或服务（或产品没有已发布的物模型），**422** 值不符合物模型（\`details\` 列出每个
   字段及原因）。

### 属性
- **产品**：使用其物模型的产品；为空时使用每条消息自己的 \`msg.thing.productKey\`。
- **未知属性**：*拒绝* 对物模型未定义的标识符回复 404；*丢弃* 去掉它并校验其余部分。

状态显示通过和失败的消息数，每秒最多刷新一次。`;

const telemetryStoreHelp = `存储设备的遥测数据：属性值（历史数据和每台设备的最新值）以及事件。

写入采用 **组提交**：几毫秒内到达的消息共用一个事务，因此数千台设备每秒只需几次提交。消息在包含它的提交完成后才
继续传递、应答设备。

### 输入
设备消息，通常来自 **物模型校验**（值已按声明的类型规范化，各带时间）：
- \`property.post\`：按值的每个不同时间各存一行（\`msg.thing.values\`，否则为消息时间下的 \`msg.payload\`
  \`{identifier: value}\`）；
- \`event.post\`：一个事件，\`msg.payload\` 为其输出数据。
其他类型（状态变化、回复）不存储，直接从输出 1 通过。

### 输出
1. **已存储**：提交后的消息。数据库无法存储的值（类型不对、过长）列在 \`msg.thing.skipped\` 中并显示在状态里；其余照常
   存储。
2. **未存储**：消息带有 \`msg.error = {code, message}\`：写入队列已满（**503**：平台过载；在此之前设备会先被限速）、
   数据库出错，或没有任何值能存储，例如产品没有已发布的物模型（**500**，原因见消息）。

### 属性
- **应答设备**：给消息一个结果，存储后为 200（或错误码），除非已有节点给出：记入设备的消息日志，并发给要求回复的
  设备。由后面的节点应答时关闭。

状态显示已存储和被拒绝的消息数，写入队列积压时也会显示。`;

const alertHelp = `根据设备消息产生和清除告警，每个节点一条规则，对每台设备分别判断。

### 输入
设备消息，最好紧接在 **物模型校验**（有效输出）之后：\`msg.thing\` 说明是哪台设备、什么类型的消息，
\`msg.payload\` 为值：属性上报为 \`{identifier: value}\`（时间在 \`msg.thing.values\` 中），事件为事件数据，来自
**设备输入** 的 \`state\` 消息为 \`{status}\`。

### 输出
每次 **状态转换** 一条消息，而不是每条设备消息一条：\`msg.payload\` 为
\`{transition: 'raised' | 'cleared', alert}\`，其中 \`alert\` 含 \`id\`、\`severity\`、\`state\`、\`productKey\`、
\`deviceName\`、\`value\`（触发的值）、\`clearValue\`、\`message\`、\`raisedAt\`、\`clearedAt\`、\`clearedBy\` 等。
\`msg.topic\` 为 \`productKey/deviceName\`。一条规则对每台设备最多一个未处理告警：告警未处理期间，再满足条件的消息不会
输出，所以接在这里的通知每个告警只发一次。

**确认** 告警（在告警页面或 \`POST /api/v1/alerts/:id/acknowledge\`）不输出任何内容：已经有人在处理。手动 **清除**
与自动清除一样输出 \`cleared\`。

### 属性
- **级别**：info（提示）、warning（警告）或 critical（紧急）。
- **产品**：只判断该产品的设备；为空：所有产品。
- **触发方式**：
  - *阈值*：**属性** 满足 **条件**（与 **值** 比较，*介于* / *之外* 时与 **下限**–**上限** 比较，
    含边界）并持续 **持续时间** 秒，按值自身的时间判断；若条件成立期间设备不再上报，时间到时产生告警。**清除条件**：
    *自动* 在条件不再成立时立即清除；其他选项是单独的清除条件（回差：\`> 30\` 时告警，\`< 28\` 时清除），同时满足两者
    的值保持告警。非数值的值被忽略（布尔值按 1 和 0 计）。
  - *事件*：设备上报指定的 **事件**，或留空时，物模型类型为 **事件类型** 的任意事件。设备上报 **清除事件**
    时清除；为空：只能手动清除。
  - *离线*：设备离线超过 **离线时长** 分钟；设备重新上线时清除。把 \`state\` 类型的 **设备输入** 接到本节点。
- **消息**：告警的文字，可用占位符 \`{{rule}}\` \`{{severity}}\` \`{{product}}\` \`{{device}}\`
  \`{{value}}\` \`{{property}}\` \`{{condition}}\` \`{{for}}\` \`{{event}}\` \`{{eventType}}\` \`{{minutes}}\` \`{{reason}}\`；
  为空：一句符合触发方式的话。

### 重启与部署
未处理的告警保存在数据库中，重新部署或重启后的规则会继续清除它们。进行中的持续时间或离线等待不保留：从设备的下一条
消息（或下一次离线状态）重新开始。删除节点后，其未处理告警留给运维员清除。

状态显示本规则的活动告警数（以及已确认数）。
`;

const notifyHelp = `把消息以签名的 JSON webhook 可靠地发送给 Web 服务：先存储，再重试直到服务接收，平台重启也不丢失。

### 输入
任意消息。**请求体** 决定发送什么：\`msg.payload\`，或整条消息（不含 **http in** 节点的 \`msg.req\` 和 \`msg.res\`），
以 JSON 发送。Buffer 按其 JSON 形式发送（\`{"type":"Buffer","data":[...]}\`）；接收方需要文本或 base64 时请先转换。

### 输出
通知存储后（尚未送达）输出消息，带 \`msg.notification = {id}\`。该 id 也作为 \`X-Thingwire-Notification-Id\` 请求头
发送，并在 API 中标识该通知（\`GET /api/v1/notifications/{id}\`，含每次尝试）。

### 送达
- 每次尝试是一个 \`POST\`，\`Content-Type: application/json\`；最多同时 4 个在途。
- **2xx**：已送达。
- **408**、**429**、**5xx**、在 **超时** 内无响应、无法连接：等待一段递增的时间后重试（5 秒、10 秒、20 秒……最长
  1 小时，每次随机缩短最多一半；遵循 \`Retry-After\`），总共最多 **最大尝试次数** 次，然后失败。按默认值，各次尝试
  跨越约 5 到 10 分钟；20 次尝试跨越约 5 到 10 小时。
- 其他 **状态码**（3xx、4xx）立即失败：服务拒绝了这个请求，再发也会拒绝。不跟随重定向。解决原因后调用
  \`POST /api/v1/notifications/{id}/retry\`。
- 送达至少一次：尝试过程中重启，服务可能收到两次同一通知。请按 \`X-Thingwire-Notification-Id\` 去重。

状态统计自上次部署以来等待中、已送达和失败的通知数；失败也会连同原因记为警告日志。

### 验证通知
每次尝试都带有 \`X-Thingwire-Timestamp\`（Unix 秒）和 \`X-Thingwire-Signature: sha256=<hex>\`，即以节点的 **密钥**
对 \`timestamp + "." + body\` 计算的 HMAC-SHA256。接收方在解析请求体之前：
1. 取原始请求体字节（解析后再序列化的请求体不会匹配）；
2. 计算 \`"sha256=" + hex(HMAC_SHA256(secret, timestamp + "." + rawBody))\`；
3. 用常量时间与请求头比较；
4. 拒绝与自身时钟相差超过 5 分钟的时间戳（重放的旧请求）。

\`\`\`js
const crypto = require('node:crypto');
function verify(secret, rawBody, headers) {
  const timestamp = headers['x-thingwire-timestamp'];
  const signature = headers['x-thingwire-signature'] ?? '';
  const expected = 'sha256=' + crypto.createHmac('sha256', secret).update(timestamp + '.' + rawBody).digest('hex');
  return expected.length === signature.length
    && crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
    && Math.abs(Date.now() / 1000 - Number(timestamp)) <= 300;
}
\`\`\`
Python：\`hmac.compare_digest("sha256=" + hmac.new(secret.encode(), f"{ts}.".encode() + raw_body, hashlib.sha256).hexdigest(), sig)\`，
时间戳检查相同。

### 地址
Webhook 只发往公网地址。环回地址（\`127.0.0.1\`、\`localhost\`、\`::1\`）、链路本地地址（如 \`169.254.169.254\` 上的
云元数据服务）、私有地址（\`10.x\`、\`172.16–31.x\`、\`192.168.x\`、\`fc00::/7\`）、运营商级 NAT、组播和保留地址都会被拒绝，
主机名解析到这些地址时也一样：建立连接时检查地址。平台拒绝的 IP 地址在部署时即被拒绝（红色状态）；解析到这类地址的
主机名使其通知立即失败，并给出原因。平台管理员可以用 \`--webhook-allow-cidrs\`（如 \`10.1.0.0/16\`）放行某些网段，或用
\`--allow-private-webhooks\` 放行所有私有地址。其他协议使用的端口（25、110、6667 等）也会被拒绝。

### 属性
- **URL**：服务的 \`http://\` 或 \`https://\` 地址，不含用户名或密码（请用 **请求头**）。
- **请求体**：\`msg.payload\`，或整条消息。
- **超时**：一次尝试等待响应的时长。
- **最大尝试次数**：通知计为失败之前的尝试次数。
- **密钥**：为每个请求签名；至少 16 个字符（\`openssl rand -hex 32\` 可生成一个好的密钥）。接收方需要同一密钥。修改后
  对仍在等待的通知也生效。
- **请求头**：以 JSON 对象表示的额外请求头，如 \`{"Authorization": "Bearer …"}\`。与 **密钥** 一样加密存储，绝不写入
  流程 JSON，也不再显示：表单保持为空，留空即保留已存储的请求头；输入 \`{}\` 可删除。通知 API 只列出请求头名称。
`;

const otaHelp = `固件升级（docs/ota.md）：把设备的 OTA 上报交给平台的 OTA 服务、应答设备，并输出设备升级或升级任务的每一次变化。

### 输入
来自 **设备输入** 的消息，类型为 \`ota.inform\`（设备报告某模块运行的版本）、\`ota.progress\`（进度，失败时为负的步骤）
和 \`ota.get\`（询问是否有等待它的升级）。服务记录版本、推进设备的升级并给出结果：\`ota.get\` 以等待该设备的升级应答
（没有时为 \`{}\`）；上报和进度是通知，设备不会收到回复（除非它要求了），但代码会记入其消息日志（格式错误的上报为 400
并附原因）。其他类型的消息，或没有 \`msg.thing\` 的消息，对 **catch** 节点是一个错误。

### 输出
每次 OTA 变化一条消息，无论起因是什么（设备、超时，或运维员在升级任务页面的操作）：

- 设备升级变化：\`msg.topic\` 为 \`ota.device\`，\`msg.payload\` 为 \`{type: 'ota.device', upgrade}\`
  （\`upgrade\` 含 \`productKey\`、\`deviceName\`、\`module\`、\`fromVersion\`、\`toVersion\`、\`state\`、
  \`step\`、\`percent\`、\`message\`、\`reason\`、\`campaignId\`、\`attempts\` 等）。\`msg.thing\` 以设备事件的方式指明
  设备：\`{productKey, deviceName, kind: 'event.post', eventId, receivedAt}\`，其中 \`eventId\` 为 \`ota_\` 加升级状态：
  \`ota_queued\`、\`ota_notified\`、\`ota_downloading\`、\`ota_flashing\`、\`ota_succeeded\`、\`ota_failed\`、
  \`ota_timed_out\`、\`ota_cancelled\`。它没有 \`replyToken\`：这是平台的事件，不是设备发来的消息。
- 升级任务变化：\`msg.topic\` 为 \`ota.campaign\`，\`msg.payload\` 为 \`{type: 'ota.campaign', campaign, change}\`，
  \`change\` 为 \`started\`、\`wave\`、\`stopped\`（自行停止：失败的设备过多；\`campaign.stateReason\` 说明数量）、
  \`paused\`、\`resumed\`、\`cancelled\`、\`completed\` 之一。没有 \`msg.thing\`：升级任务不是设备。

\`msg.payload\` 的结构与实时推送和 API 一致，可以直接交给 **webhook**。

### 升级失败告警
把本节点（**输出** 选 *已结束的设备升级*）接到触发方式为 *事件*、**事件** 为 \`ota_failed\`、**清除事件** 为
\`ota_succeeded\` 的 **告警** 节点：设备升级失败（下载、校验或烧写失败，或重启后仍是旧版本）时产生告警，之后升级成功
则清除。再加一个 \`ota_timed_out\` 的告警节点，可发现升级期间失联的设备。告警的值是 \`msg.payload\`，所以告警页面显示
完整的升级信息：原因（\`upgrade.reason\`，如 "verification failed"）、设备最后的步骤和文字、版本和升级任务。升级任务
消息不带设备，告警节点会判其失败：用 **输出** 或对 \`msg.topic\` 的 **switch** 把它们挡在外面。

### 属性
- **输出**：*所有变化*；*已结束的设备升级*（成功、失败、超时或取消，每个
  设备升级一条消息，各带 \`msg.thing\`，正是告警节点需要的）；*失败和升级任务停止*（失败或超时的设备，以及
  自行停止的升级任务：需要有人知道的事，例如通过 webhook）。

状态统计已处理（和被拒绝）的上报数，并显示最后一次变化。没有平台的 OTA 服务时（普通 Node-RED，其设置未提供
\`services.ota\`），状态会说明，所有上报都回复 503。`;

const otaUpgradeHelp = `为消息指定的设备启动固件升级，规则与升级任务相同：只升级到更新的版本，只从固件允许的源版本升级，设备正在进行该模块的
其他升级时不升级。这次升级是一个单设备的升级任务；它显示在升级任务页面中，像其他任务一样推进。

典型用法：把类型为 \`ota.inform\` 的 **设备输入** 接到这里，让每台上报版本的设备一启动就升级到最新固件（或 **版本**）。

### 输入
设备：\`msg.thing.productKey\` 和 \`msg.thing.deviceName\`（来自 **设备输入** 的任意消息），或者在没有 \`msg.thing\` 的
消息中为 \`msg.payload.productKey\` 和 \`msg.payload.deviceName\`（例如来自 **inject** 或 **http in** 节点）。未指明设备
的消息对 **catch** 节点是一个错误。

### 输出
1. **已启动**：\`msg.payload\` 为为该设备创建的升级任务（\`id\`、\`name\`、\`version\`、\`state\`、\`counts\` 等）。其后续
   变化从 **OTA** 节点输出。
2. **被拒绝**：服务不升级该设备；\`msg.payload\` 为 \`{reason, code, productKey, deviceName, module, version}\`（设置了
   \`version\` 时才有）。\`reason\` 用文字说明原因：设备已运行该版本、运行的源版本不在固件允许范围内、尚未上报版本、
   正被其他升级任务升级；或没有这样的固件。\`code\` 来自服务：设备不符合条件时为 \`not_upgradable\`，固件不存在时为
   \`not_found\`。

拒绝是一种应答，不是故障：已运行最新固件的设备每次启动都会被拒绝，所以拒绝走输出 2（可以不接线），而不是塞满日志和
catch 节点。消息上的其他内容（\`msg.thing\`、\`msg.topic\` 等）原样传递。

### 设备自己的上报
接在接收 \`ota.inform\` 的 **设备输入** 之后时，本节点把设备刚上报的版本交给服务，服务先记录再判断：升级不取决于
设备页签的 **OTA** 节点是否先看到该上报。

### 属性
- **模块**：要升级的固件模块；\`default\` 是未指定模块的设备的模块。
- **版本**：要安装的固件版本；为空：该模块适用于设备所属产品的最新固件。

升级任务的创建者为 \`node:<本节点 id>\`（升级任务页面会显示）。状态统计已启动和被拒绝的升级数，以及最后一次拒绝。没有
平台的 OTA 服务时，节点只说明这一点，每条消息对 catch 节点都是一个错误。`;

const replyTimeout = '回复超时（毫秒）';
const ratePerDevice = '单设备速率（条/秒）';
const onlineWindow = ['在线窗口（秒）', '最后一次请求在此时间内即为在线'] as const;
const signIn = {
  signInTimeoutMs: ['登录超时（毫秒）', '到时仍未登录的连接被断开'],
  maxPendingSignIns: ['最大登录中连接数', '超出的新连接一到即断开'],
} as const;
const operatorChoices = { between: '介于下限和上限之间', outside: '在下限和上限之外' };

export const thingwireNodesZh: Readonly<Record<string, NodeZh>> = {
  'thing-mqtt-listener': {
    label: 'MQTT 监听器',
    help: mqttListenerHelp,
    fields: {
      port: '端口',
      host: ['主机', '绑定的地址'],
      tlsPort: ['TLS 端口', '0：不启用 TLS'],
      tlsCert: ['证书', 'TLS 的 PEM 证书链'],
      wsPath: ['WebSocket 路径', '在 HTTP 端口上；为空：不启用 WebSocket'],
      maxPayloadBytes: '最大消息（字节）',
      ratePerDevice,
      keepaliveMin: '心跳下限（秒）',
      keepaliveMax: '心跳上限（秒）',
      replyTimeoutMs: [replyTimeout, '未应答的设备消息在此之后回复 504'],
      ...signIn,
      tlsKey: ['私钥', 'TLS 的 PEM 私钥'],
    },
  },
  'thing-http-listener': {
    label: 'HTTP 监听器',
    help: httpListenerHelp,
    fields: {
      port: ['端口', '0：平台的 HTTP 端口'],
      host: ['主机', '独立端口绑定的地址'],
      path: ['路径', '设备路由的起始路径'],
      maxBodyBytes: '最大请求体（字节）',
      tokenTtlSeconds: 'Token 有效期（秒）',
      onlineWindowSeconds: onlineWindow,
      ratePerDevice,
      replyTimeoutMs: [replyTimeout, '未应答的提交在此之后回复 504'],
    },
  },
  'thing-coap-listener': {
    label: 'CoAP 监听器',
    help: coapListenerHelp,
    fields: {
      port: ['端口', 'UDP 端口'],
      host: ['主机', 'UDP 套接字绑定的地址'],
      maxBodyBytes: '最大请求体（字节）',
      tokenTtlSeconds: 'Token 有效期（秒）',
      onlineWindowSeconds: onlineWindow,
      ratePerDevice,
      replyTimeoutMs: [replyTimeout, '未应答的提交在此之后回复 5.04'],
    },
  },
  'thing-udp-listener': {
    label: 'UDP 监听器',
    help: udpListenerHelp,
    fields: {
      port: ['端口', 'UDP 端口'],
      host: ['主机', 'UDP 套接字绑定的地址'],
      productKey: ['产品', '用其数据解析脚本读取未知地址的登录'],
      bindAddress: ['绑定地址', '登录时把源地址绑定到设备'],
      maxDatagramBytes: '最大数据报（字节）',
      ratePerAddress: '单地址速率（数据报/秒）',
      maxBoundAddresses: '最大绑定地址数',
      tokenTtlSeconds: 'Token 有效期（秒）',
      onlineWindowSeconds: onlineWindow,
      ratePerDevice,
      replyTimeoutMs: [replyTimeout, '未应答的提交在此之后在回复中返回 504'],
    },
  },
  'thing-tcp-listener': {
    label: 'TCP 监听器',
    help: tcpListenerHelp,
    fields: {
      port: ['端口', 'TCP 端口'],
      host: ['主机', 'TCP 服务器绑定的地址'],
      framing: ['分帧方式', '字节流如何切分为帧'],
      fixedBytes: ['固定帧长（字节）', '分帧方式为 "fixed" 时每帧的长度'],
      maxFrameBytes: '最大帧（字节）',
      productKey: ['产品', '登录前用其数据解析脚本读取帧；为空：只接受 JSON 登录'],
      ...signIn,
      idleTimeoutSeconds: ['空闲超时（秒）', '这么久没有任何帧的设备被断开'],
      ratePerDevice,
      maxWriteBufferBytes: ['最大未发送字节', '不读取数据的设备超过此值即断开'],
      replyTimeoutMs: [replyTimeout, '要求应答的消息未应答时在此之后回复 504'],
    },
  },
  'thing-modbus-poller': {
    label: 'Modbus 轮询器',
    help: modbusPollerHelp,
    fields: {
      failuresBeforeOffline: '离线前失败次数',
      timeoutMs: '请求超时（毫秒）',
      maxInFlightPerTcpBus: '每个 TCP 连接的并发请求数',
      backoffMaxMs: ['退避上限（毫秒）', '离线设备两次轮询之间的最长等待'],
      products: ['产品', '不选：所有产品'],
    },
  },
  'device-in': {
    outputLabels: ['设备消息'],
    label: '设备输入',
    help: deviceInHelp,
    fields: { product: '产品', device: '设备', kinds: '消息类型', dialect: '方言' },
    choices: { dialect: { any: '任意' } },
  },
  'device-out': {
    outputLabels: ['回复', '错误 / 超时'],
    label: '设备输出',
    help: deviceOutHelp,
    fields: {
      product: '产品',
      device: '设备',
      command: '指令',
      service: ['服务', 'service.invoke 调用的服务标识符'],
      timeoutMs: '超时（毫秒）',
      whenOffline: '离线时',
      queueTtlSeconds: '排队有效期（秒）',
    },
    choices: {
      command: { 'property.set': '设置属性', 'service.invoke': '调用服务', 'raw.down': '原始下行', 'from-message': '取自消息' },
      whenOffline: { fail: '失败', queue: '排队' },
    },
  },
  'device-reply': {
    label: '设备回复',
    help: deviceReplyHelp,
    fields: { code: '代码', message: '消息', sendPayload: '发送 payload' },
  },
  'thing-validate': {
    outputLabels: ['有效', '无效'],
    label: '校验',
    paletteLabel: '物模型校验',
    help: thingValidateHelp,
    fields: {
      product: ['产品', '使用其物模型的 ProductKey；为空：每条消息自己的产品'],
      unknownProperties: ['未知属性', '物模型未定义的属性如何处理'],
    },
    choices: { unknownProperties: { reject: '拒绝（404）', drop: '丢弃' } },
  },
  'telemetry-store': {
    outputLabels: ['已存储', '未存储'],
    label: '遥测存储',
    help: telemetryStoreHelp,
    fields: { reply: ['应答设备', '消息存储后回复 200（无法存储时回复错误码）'] },
  },
  alert: {
    outputLabels: ['产生 / 清除'],
    label: '告警',
    help: alertHelp,
    fields: {
      name: '名称',
      severity: '级别',
      product: ['产品', '只判断该产品的设备；为空：所有产品'],
      trigger: '触发方式',
      property: ['属性', '阈值触发：属性标识符'],
      operator: '条件',
      value: ['值', '阈值触发：与属性比较的值'],
      low: ['下限', '介于 / 之外：范围的下限，含边界'],
      high: ['上限', '介于 / 之外：范围的上限，含边界'],
      forSeconds: ['持续时间（秒）', '阈值触发：条件须持续多久才产生告警'],
      clearOperator: '清除条件',
      clearValue: '清除值',
      clearLow: '清除下限',
      clearHigh: '清除上限',
      event: ['事件', '事件触发：事件标识符；为空：事件类型下的任意事件'],
      eventType: '事件类型',
      clearEvent: ['清除事件', '事件触发：用于清除的事件；为空：只能手动清除'],
      offlineMinutes: '离线时长（分钟）',
      message: ['消息', '模板；为空：一句符合触发方式的话'],
    },
    choices: {
      severity: { info: '提示', warning: '警告', critical: '紧急' },
      trigger: { threshold: '阈值', event: '事件', offline: '离线' },
      operator: operatorChoices,
      clearOperator: { auto: '自动（条件不再成立时）', ...operatorChoices },
      eventType: { 'alert-or-error': '告警或故障', alert: '告警', error: '故障', any: '任意' },
    },
  },
  notify: {
    outputLabels: ['已存储'],
    label: '通知',
    paletteLabel: 'webhook',
    help: notifyHelp,
    fields: {
      url: ['URL', 'http:// 或 https:// 地址'],
      method: '方法',
      body: ['请求体', '以 JSON 发送的内容'],
      timeoutMs: ['超时（毫秒）', '每次尝试'],
      maxAttempts: '最大尝试次数',
      secret: ['密钥', '为每个请求签名（HMAC-SHA256）'],
      headers: ['请求头', '额外的请求头，值为字符串的 JSON 对象'],
    },
    choices: { body: { message: '整条消息' } },
  },
  ota: {
    outputLabels: ['OTA 变化'],
    label: 'OTA',
    help: otaHelp,
    fields: { name: '名称', output: '输出' },
    choices: { output: { all: '所有变化', ends: '已结束的设备升级', problems: '失败和升级任务停止' } },
  },
  'ota-upgrade': {
    outputLabels: ['已启动', '被拒绝'],
    label: 'OTA 升级',
    help: otaUpgradeHelp,
    fields: {
      name: '名称',
      module: ['模块', '字母、数字、_ . -'],
      version: ['版本', 'major.minor.patch；为空：该模块的最新固件'],
    },
  },
};
