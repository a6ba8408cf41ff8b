/**
 * The help of each Node-RED core node our palette offers, in our words: what the node does, its inputs and outputs
 * and every option, written from Node-RED 4.1's behaviour, and where Thingwire differs (host nodes, code nodes, flow
 * endpoints, the environment flows see). Markdown in the subset `editor/properties/help-markdown.tsx` renders:
 * `###` headings, `-` lists (nested by two spaces, continued by indented lines), paragraphs, `code`, **bold** and
 * *italic*; nothing else. Keyed by Node-RED type; `core-nodes.def.ts` puts each on its node's definition.
 * Browser-safe.
 */

/** Which environment variables flows can read (`${VAR}`, `$env()`, `env.get()`). */
const flowEnv = `Environment variables: flows see only those named \`FLOW_…\` and those the server lists in
\`--flow-env\`; any other reads as empty.`;

/** Why a code node is admins-only, and what others see. */
const codeNode = `**In Thingwire:** a code node. Its JavaScript runs inside the server process with the server's
rights, so adding or changing one takes the \`flows:code\` permission (admins by default). Without it the editor draws
the node locked: it can be moved, wired and deleted, its properties are read only, and a deploy that changes it is
refused (403).`;

/** Why a host node is off by default and admins-only. */
const hostNode = `**In Thingwire:** a host node. It works on the server's own files or processes with the server's
rights, so it is only installed when the server starts with \`--host-nodes\` (without the flag a flow using it is
refused as using an uninstalled type), and adding or changing one takes the \`flows:code\` permission (admins by
default). Others see it locked: it can be moved, wired and deleted, not edited.`;

/** Nodes that connect out: no address policy, unlike the webhook node's. */
const outbound = `**In Thingwire:** this node connects wherever its settings say, loopback addresses included:
Thingwire's outbound address policy covers only the webhook node. To keep it to admins, name its type in
\`--code-node-types\`.`;

/** Nodes that open a port of the server outside the `/nodes` gate. */
const listensOnHost = `**In Thingwire:** it listens on a port of the server itself, outside the \`/nodes\` gate and
without any sign-in: anyone who reaches that port reaches the flow. To keep it to admins, name its type in
\`--code-node-types\`.`;

/** Who may call an `http in` or `websocket-listener` endpoint. */
const endpoint = `**In Thingwire:** flow endpoints live below \`/nodes\` (or on their own port with
\`--flow-http-port\`). A caller needs a Thingwire session or an API token (\`Authorization: Bearer …\`) unless the
endpoint is ticked **Public (no sign-in)**, which the canvas marks *public*. The flow sees who called in the
\`x-thingwire-user\` and \`x-thingwire-role\` request headers, never the caller's cookie or token. On the UI's own
port every answer carries \`Content-Security-Policy: sandbox\`, so a page served there runs no script as the UI: serve
real web pages with \`--flow-http-port\`.`;

/** What `msg.parts` holds, for the sequence nodes. */
const parts = `\`msg.parts\` describes a message's place in a sequence: \`id\` (the sequence), \`index\` (its
position, from 0), \`count\` (the number of messages, when known), \`type\` (\`string\`, \`array\`, \`object\` or
\`buffer\`), \`ch\` (the separator a string or buffer was cut at), \`key\` (the object key it came from) and \`len\`
(the length of fixed-size pieces).`;

/** Nodes that hold messages: no cap on what they hold. */
const buffered = `It holds messages in memory until a sequence is complete. Thingwire sets no cap on that buffer
(Node-RED's \`nodeMessageBufferMaxLength\`), so keep sequences bounded.`;

export const coreNodeHelp: Readonly<Record<string, string>> = {
  inject: `Starts a flow with a message: when you press its button, once after each deploy, at an interval or on a
schedule.

### Outputs
- \`msg.payload\`: the value set in the node. By default the current time, in milliseconds since 1 January 1970.
- \`msg.topic\`: the topic set in the node, if any.
- Any other message property listed in the node, each with its value.

### Details
- **Properties**: the message properties to set (\`payload\` and \`topic\` first, add more). Each value has a type:
  string, number, boolean, JSON, buffer, timestamp, a JSONata expression, a flow or global context value, or an
  environment variable. The value is read at the moment the node fires.
- **Inject once after … seconds**: fires once, that long after the node starts: when the server starts, and after each
  deploy that restarts the node.
- **Repeat**: *none*; *interval*, every so many seconds, minutes or hours (at most about 596 hours, 24 days);
  *interval between times*, every so many minutes between two hours on the chosen days; *at a specific time*, at a
  time of day on the chosen days.
- **Name**: the label on the canvas.

The two time-of-day modes follow the clock, like cron: every 20 minutes means at :00, :20 and :40, not 20 minutes from
now; use *interval* for that. A schedule that must survive restarts and outages belongs in a scheduler outside the
flow: a restart resets every interval.

A string value cannot hold a line break; build such a payload with a template or function node.

**In Thingwire:** the button on the canvas, and \`POST /api/v1/flows/inject/{nodeId}\`, fire the deployed node; both
take the \`flows:write\` permission. ${flowEnv}`,

  debug: `Shows messages in the editor's **Debug** sidebar, and optionally in the server log or under the node.

### Inputs
- Any message. By default the node shows \`msg.payload\`.

### Details
- **Output**: what to show: a message property (\`msg.payload\` by default), the complete message, or the result of a
  JSONata expression over the message.
- **To**: any of *debug window* (the sidebar), *system console* (the server log) and *node status* (a short text under
  the node).
- **Node status**: with *node status* ticked, what to show there: the same as the output, another message property, a
  JSONata expression, or a count of the messages received. Longer texts are cut to 32 characters.
- **Name**: the label on the canvas and in the sidebar.

The button on the node's right turns it on and off without a deploy. Turn off or delete debug nodes you no longer
watch: each shown message costs the server work.

The sidebar lists each message with its time, its type and the node it came from. Objects and arrays fold open and
shut; buffers show as bytes or as text.

**In Thingwire:** the sidebar gets messages over the live channel, at most 50 every 200 ms; the rest are counted as
dropped, not shown. *System console* writes to Thingwire's log. Turning the node on or off takes the \`flows:write\`
permission.`,

  complete: `Sends on the message another node has finished with, so a flow can go on after nodes that have no output.

### Outputs
- The message a node in the scope reports as done, with \`msg.complete.source\` naming that node (\`id\`, \`type\`,
  \`name\`).

### Details
- **Scope**: the nodes on this flow to watch. There is no "all nodes" choice: pick them. A node wired straight to this
  one is left out, so it cannot loop.
- **Name**: the label on the canvas.

Only nodes that tell the runtime when they are done raise this event; most core nodes do, some contributed nodes do
not. Use it, for example, after a node that sends mail or stores data and has no output port.`,

  catch: `Catches the errors nodes report on this flow, so a flow of your own can handle them.

### Outputs
- The message the failing node was handling (or an empty one), with \`msg.error\`:
  - \`msg.error.message\`: the error's text.
  - \`msg.error.source\`: the failing node's \`id\`, \`type\` and \`name\`, and \`count\`: how often this message
    failed at that node.
  - \`msg.error.code\`, \`msg.error.stack\`, \`msg.error.cause\`: when the error has them.
- A message that already had an \`error\` property keeps it as \`msg._error\`.

### Details
- **Catch errors from**: *all nodes* on the flow, the nodes *in the same group*, or *selected nodes*.
- **Ignore errors handled by other Catch nodes**: only take errors no other catch node took (with *all nodes*).
- **Name**: the label on the canvas.

A node that fails usually stops that message's way through the flow. Every catch node whose scope fits gets the error;
nodes in a group are served first by the catch nodes of the nearest group. An error inside a subflow goes to the
subflow's catch nodes, or, with none there, to the flow the subflow instance is on. A message that fails at the same
node ten times in a loop is dropped with a warning.`,

  status: `Reports the status changes of other nodes on this flow, the text and dot shown under them.

### Outputs
- \`msg.status\`: the new status: \`text\`, and \`fill\` and \`shape\` when set.
- \`msg.status.source\`: the node that changed it: \`id\`, \`type\` and \`name\`.

There is no \`msg.payload\`.

### Details
- **Report status from**: *all nodes* on the flow, the nodes *in the same group*, or *selected nodes*.
- **Name**: the label on the canvas.

Use it to act on connection changes (an MQTT or TCP node going *disconnected*) or to collect statuses in one place.`,

  'link in': `Receives what link out nodes send, from this flow or any other: an invisible wire.

### Outputs
- Each message a connected link out node sends, unchanged.

### Details
- **Links**: the link out nodes connected to this one.
- **Name**: the label on the canvas, and the name a link call node with a dynamic target calls it by.

The link wires show only while a link node is selected. A flow that starts here and ends in a link out node set to
*return* works as a subroutine for link call nodes. Links cannot enter or leave a subflow.`,

  'link out': `Sends each message to link in nodes elsewhere, or back to the link call node that started the flow.

### Inputs
- Any message.

### Details
- **Mode**: *send to all connected link nodes*, on any flow; or *return to calling link node*, which hands the message
  back to whichever link call node started this flow.
- **Links**: with *send to all*, the link in nodes to send to.
- **Name**: the label on the canvas.

The link wires show only while a link node is selected. Links cannot enter or leave a subflow.`,

  'link call': `Runs another flow like a subroutine: hands the message to a link in node, waits for the flow's answer
and sends it on.

### Inputs
- Any message; it is handed to the called link in node.
- \`msg.target\`: with a dynamic target, the name or id of the link in node to call.

### Outputs
- The message the called flow returns through a link out node set to *return*.

### Details
- **Link Type**: *fixed target*, the link in node chosen in the node; or *dynamic target*, the one \`msg.target\`
  names. An id is matched first; a name two link in nodes share is an error, and link in nodes inside subflows cannot
  be called.
- **Timeout**: how long to wait for the answer, 30 seconds by default. Without an answer in time the node reports an
  error a catch node can take.
- **Name**: the label on the canvas.`,

  comment: `A note on the canvas, for whoever reads the flow next.

### Details
- **Name**: the text on the canvas.
- **Text**: a longer note, in markdown. It is kept with the flow; Node-RED shows it in its info sidebar.

The node has no ports and does nothing at run time.`,

  junction: `A wire junction: a dot where wires meet and part, to keep a busy flow tidy.

### Inputs
- Any message.

### Outputs
- The same message, to every wire that leaves the junction.

### Details
A junction has no settings and does nothing to the message. Use one on a wire to fan it out to several nodes or to
gather several wires into one; flows that contain junctions import and run unchanged.`,

  function: `Runs your JavaScript on each message; what it returns or sends goes on to the next nodes.

### Inputs
- Any message, as the variable \`msg\`. By convention the data is in \`msg.payload\`.

### Outputs
- What the code returns or passes to \`node.send()\`: one message goes to the first output; an array sends its items
  to the outputs in order, an item that is itself an array sends several messages on that output, and \`null\` sends
  nothing there. Returning nothing ends the flow for that message.

### Details
- **On Message**: the code run for each message.
- **On Start**: code run when the node starts, before any message. If it returns a Promise, messages wait until it
  resolves. A message sent from here may reach nodes that have not started yet.
- **On Stop**: code run when the node stops, on a deploy or shutdown: close what On Start opened.
- **Outputs**: how many output ports the node has.
- **Timeout**: seconds the On Message code may run before the node reports an error; 0 means no limit.
- **Name**: the label on the canvas.

In the code:

- \`node.log()\` writes to the server log; \`node.warn()\` and \`node.error()\` show in the debug sidebar too.
  \`node.error(text, msg)\` also hands the message to catch nodes.
- \`node.send(msg)\` sends without returning, for asynchronous code; then call \`node.done()\` when finished.
- \`node.status({fill, shape, text})\` sets the status under the node.
- \`node.id\`, \`node.name\`, \`node.outputCount\` describe the node.
- \`context\`, \`flow\` and \`global\` keep values (\`get\`, \`set\`) for this node, this flow, or every flow; they
  live in memory and are empty after a restart.
- \`env.get("NAME")\` reads an environment variable.

${codeNode} The **Modules** setting is off: a function cannot load npm modules. ${flowEnv}`,

  switch: `Sends each message to the outputs whose rule it matches.

### Inputs
- Any message. The node tests **Property** (\`msg.payload\` by default).

### Outputs
- One output per rule, in the rules' order. A message goes out on every output whose rule matches, or only the first
  with *stopping after first match*; it is not changed.

### Details
- **Property**: what the rules test: a message property, a flow or global context value, a JSONata expression over the
  message, or an environment variable.
- **Rules**: each one compares the property, and opens its own output:
  - value rules: \`==\`, \`!=\`, \`<\`, \`<=\`, \`>\`, \`>=\`, *is between*, *contains*, *matches regex* (optionally
    ignoring case), *is true*, *is false*, *is null*, *is not null*, *is of type*, *is empty*, *is not empty*, *has
    key*. The value compared against may be a constant, another property, a context value, a JSONata expression, an
    environment variable, or the *previous value* the property had.
  - sequence rules, for messages with \`msg.parts\` (from a split node): *head* (the first N), *index between*, *tail*
    (the last N).
  - *JSONata exp*: matches when the expression, run against the whole message, is true.
  - *otherwise*: matches when no rule before it did.
- **checking all rules** / **stopping after first match**: whether a message may leave by more than one output.
- **recreate message sequences**: for sequences, give each output's messages their own new \`msg.parts\`, so each
  output carries a whole sequence. The node then waits for the complete sequence before sending any of it.
- **Name**: the label on the canvas.

*is true*, *is false* and *is null* are strict: a string \`"true"\` is not true. *is empty* and *is not empty* look at
how long a string, array or buffer is, or how many keys an object has; a boolean, \`null\` or a missing value matches
neither.`,

  change: `Sets, changes, deletes or moves properties of the message, the flow context or the global context.

### Inputs
- Any message.

### Outputs
- The message with the rules applied.

### Details
- **Rules**: applied one after the other, top to bottom:
  - *Set* a property to a value: a constant, another property, a context value, a JSONata expression, an environment
    variable, a timestamp. **Deep copy value** copies an object or array instead of sharing it.
  - *Change* a property: search for a value and replace it, optionally with a regular expression whose capture groups
    (\`$1\`) the replacement can use. A match of the whole value may change its type (a string to a number); a partial
    match replaces text in the string.
  - *Delete* a property.
  - *Move* a property to another name or place.
- **Name**: the label on the canvas.

A JSONata expression sees the whole message, and \`$flowContext()\`, \`$globalContext()\` and \`$env()\`. ${flowEnv}`,

  range: `Maps a number from one range to another, like a sensor's 0 to 1023 to 0 to 100 %.

### Inputs
- \`msg.payload\` (or **Property**): a number, or text that reads as one. Anything else is reported as an error.

### Outputs
- The same property, mapped.

### Details
- **Property**: the message property to map, \`msg.payload\` by default.
- **Action**:
  - *Scale the message property*: a straight-line map; results may fall outside the target range.
  - *Scale and limit to the target range*: results are clamped to the target range.
  - *Scale and wrap within the target range*: results wrap around within it, like a clock.
  - *Scale, but drop msg if outside input range*: inputs outside the input range are dropped.
- **Map the input range from … to** and **to the target range from … to**: the two ranges; either may run downwards.
- **Round result to the nearest integer**.
- **Name**: the label on the canvas.

For example, with the input range 0 to 10 and the target 0 to 100, an input of 12 gives 120 (scale), 100 (limit), 20
(wrap), or nothing (drop).`,

  template: `Fills a template with values from the message and context, and puts the result in a property.

### Inputs
- Any message: its properties fill the template.
- \`msg.template\`: the template, when the node's own **Template** is empty.

### Outputs
- The message with **Property** (\`msg.payload\` by default) set to the result.

### Details
- **Property**: where the result goes: a message property, or a flow or global context value.
- **Template**: the text to fill.
- **Format**: *Mustache template* fills in \`{{…}}\` tags; *Plain text* takes the text as it is.
- **Output as**: *plain text*, or the text parsed as *JSON* or *YAML* into an object.
- **Syntax Highlight**: only how the editor colours the template.
- **Name**: the label on the canvas.

Mustache tags read message properties without the \`msg.\` prefix: \`Hello {{payload.name}}\` gives \`Hello Fred\` for
\`msg.payload.name\` = \`"Fred"\`. \`{{flow.name}}\` and \`{{global.name}}\` read context, \`{{flow[store].name}}\` a
named context store, and \`{{env.NAME}}\` an environment variable. Values are HTML-escaped; use triple braces
\`{{{payload}}}\` to insert them as they are. To use other delimiters, start the template with a tag like \`{{=[[
]]=}}\`.

${flowEnv}`,

  delay: `Holds each message back for a while, or limits how many messages pass in a time.

### Inputs
- Any message.
- \`msg.delay\`: with *Override delay with msg.delay*, this message's delay in milliseconds.
- \`msg.rate\`: with **allow msg.rate to override** ticked, a new rate, in milliseconds between messages. It takes
  effect at once and holds until another one arrives, a reset, or a restart of the flows.
- \`msg.reset\`: any value: drop every held message unsent.
- \`msg.flush\`: a number: send that many held messages now; any other value: send them all now.
- \`msg.toFront\`: \`true\`, in rate-limit mode: put this message at the head of the queue. With \`msg.flush\` = 1 it
  goes out at once.

### Outputs
- The messages, later or fewer. With *Send intermediate messages on 2nd output*, the messages the rate limit would
  drop go out on a second output instead.

### Details
- **Action**: *Delay each message* or *Rate Limit*.
- Delay each message, each timed from its own arrival:
  - *Fixed delay*: every message waits the same time.
  - *Random delay*: each waits a random time between two values.
  - *Override delay with msg.delay*: each waits \`msg.delay\` ms; without it, the node's delay.
- Rate limit:
  - *All messages*: at most N messages per time; further ones queue (spread out over time), are dropped, or go to the
    second output, as chosen.
  - *For each msg.topic*: the same per topic, keeping only the latest message of each topic; each period releases the
    latest message of *all topics* or of *each topic in turn*.
- **Name**: the label on the canvas.

The status shows how many messages wait. ${buffered}`,

  trigger: `Sends a message, then optionally a second one after a time, unless it is reset or extended first:
timeouts, watchdogs, blinking outputs.

### Inputs
- Any message: starts the trigger. While the timer runs, further messages send nothing; they restart the timer with
  **extend delay if new message arrives**, and become the second message with *the latest msg object*.
- \`msg.delay\`: with **override delay with msg.delay** ticked, the time to wait, in milliseconds.
- \`msg.reset\`: any value: stop the running timer or repeat, send nothing.

### Outputs
- The first message, at once; then the second one after the time. With **send second message to separate output**, the
  second leaves on a second output.

### Details
- **Send**: the first message's payload: a string, number, boolean, JSON, buffer, timestamp, a context value, an
  environment variable; or *the existing msg object*, the message as it came in; or *nothing*.
- **then**: *wait for* a time, *wait to be reset* (send nothing more until reset), or *resend it every* interval until
  reset.
- **extend delay if new message arrives**: each message restarts the timer; with *Send* set to *nothing*, this makes a
  watchdog that only speaks when messages stop coming.
- **then send**: the second payload, with the same choices, where *the original msg object* is the message that
  started the trigger; or *the latest msg object* received.
- **Reset the trigger if**: \`msg.reset\` is set, or \`msg.payload\` equals the given value.
- **Handling**: *all messages* share one timer, or *each* value of a message property (\`msg.topic\` by default) gets
  its own.
- **Name**: the label on the canvas.

String payloads may hold Mustache tags such as \`{{payload}}\`. By default the node sends \`1\`, then \`0\` after 250
ms. The status shows that the node is running, or how many topics it holds.`,

  exec: `Runs a command on the server and sends on what it prints and how it ended.

### Inputs
- \`msg.payload\`: appended to the command, when **Append** includes it.
- \`msg.kill\`: stop a running process with this signal (\`SIGINT\`, \`SIGHUP\`, …; an empty string is \`SIGTERM\`).
- \`msg.pid\`: which process to stop, when the node runs more than one.

### Outputs
- Output 1, standard output: \`msg.payload\` is what the command printed; in exec mode \`msg.rc\` is its return code
  object too.
- Output 2, standard error: \`msg.payload\` is its error output; in exec mode also \`msg.rc\`.
- Output 3, return code: \`msg.payload\` is an object such as \`{code: 0}\`, with \`message\` and \`signal\` when the
  process failed or was stopped.

### Details
- **Command**: the program and its fixed arguments; quote an argument with spaces (\`"one argument"\`).
- **Append**: whether \`msg.payload\` (or another message property) is added to the command, and any extra arguments
  after it.
- **Output**: *when the command is complete* (exec mode) sends all output at the end; *while the command is running*
  (spawn mode) sends it as it comes, usually line by line, then the return code.
- **Timeout**: seconds after which a command still running is killed; empty means no limit.
- **Hide console**: hide the window Windows would open for the process.
- **Use old style output**: the return code as in old Node-RED versions.
- **Name**: the label on the canvas.

Output is text, or a buffer when it is not valid UTF-8. The status shows the process id while it runs, which a status
node can read. A Python program may need \`-u\` so its output is not held back.

${hostNode} It is a code node too: whatever it runs runs as the server's user.`,

  rbe: `Lets a message through only when its value has changed, or has changed by more, or less, than a margin: a
report-by-exception filter.

### Inputs
- \`msg.payload\` (or **Property**): the value to watch. The change modes take numbers, strings and simple objects;
  the band modes need a number (text that reads as one will do).
- \`msg.topic\` (or the chosen property): values are kept per topic, so one node can watch many sensors.
- \`msg.reset\`: forget the kept value of this message's topic, or of all topics when it has none.

### Outputs
- The message, unchanged, when it passes.

### Details
- **Mode**:
  - *block unless value changes*: passes a value different from the last one.
  - *block unless value changes (ignore initial value)*: the same, but the first value only sets the reference.
  - *block unless value change is greater than* (or *greater or equal to*) a margin: a deadband, which hides small
    wobbles.
  - *block if value change is greater than* (or *greater or equal to*) a margin: a narrowband, which hides outliers
    such as a faulty reading.
- **value change**: the margin, a number or a percentage (\`5%\`) of the reference value.
- **compared to**: *the last valid output value* (values outside the band do not move the reference) or *the last
  input value* (every value moves it, allowing slow drift or a step).
- **Start value**: the reference before any value arrives; empty means the first value received.
- **Property**: the message property to watch, \`msg.payload\` by default.
- **Apply mode separately for each**: the property that separates values, \`msg.topic\` by default; untick to compare
  all messages together.
- **Name**: the label on the canvas.`,

  'mqtt in': `Subscribes to a topic on an MQTT broker and sends on each message published there.

### Inputs
Only with **Action** *Dynamic subscription*; the node then subscribes to nothing until told:

- \`msg.action\`: \`connect\`, \`disconnect\`, \`subscribe\`, \`unsubscribe\`, or \`getSubscriptions\` (which sends
  the current subscriptions as \`msg.payload\`, with \`msg.topic\` \`subscriptions\`).
- \`msg.topic\`: for \`subscribe\` and \`unsubscribe\`, a topic filter, an object \`{topic, qos}\`, or an array of
  either; \`unsubscribe\` with \`true\` drops every subscription.
- \`msg.broker\`: for \`connect\`, settings that replace the server's: \`broker\`, \`port\`, \`url\` (a whole
  connection URL), \`username\`, \`password\`. When already connected this is an error unless \`msg.broker.force\` is
  \`true\`, which reconnects with the new settings.

### Outputs
- \`msg.payload\`: the message, as **Output** says. *auto-detect* (the default) gives an object for JSON, a string for
  other text and a buffer for binary data; the other choices are always a buffer, a UTF-8 string, parsed JSON, or a
  base64 string (the legacy *auto* never parses JSON).
- \`msg.topic\`: the topic it was published on; levels are separated by \`/\`.
- \`msg.qos\`: 0 (at most once), 1 (at least once) or 2 (exactly once).
- \`msg.retain\`: \`true\` when the broker kept this message from earlier, so it may be old.
- MQTT 5 only, when the publisher set them: \`msg.responseTopic\`, \`msg.correlationData\` (a buffer),
  \`msg.contentType\`, \`msg.userProperties\` (an object), \`msg.messageExpiryInterval\` (seconds).

### Details
- **Server**: the \`mqtt-broker\` connection to use; several MQTT nodes can share one.
- **Action**: *subscribe to single topic* (the node's **Topic**) or *dynamic subscription* (by input messages).
- **Topic**: the filter to subscribe to; \`+\` matches one level, \`#\` every level below.
- **QoS**: the most the broker should guarantee for this subscription (2 by default).
- **Output**: how to read the payload (see above).
- MQTT 5 options: **Do not receive messages published by this client** (no local), **Keep retain flag of original
  publish**, **Retained message handling** (send retained messages, only for new subscriptions, or never).
- **Name**: the label on the canvas.

Devices do not connect here: they sign in to Thingwire's own MQTT listener and reach flows through \`device in\`
nodes. This node is a client, for talking to other brokers.`,

  'mqtt out': `Publishes each message to a topic on an MQTT broker.

### Inputs
- \`msg.payload\`: what to publish. An object is sent as JSON, a buffer as it is. Without a payload nothing is sent;
  to publish an empty message, use an empty string.
- \`msg.topic\`: the topic, when the node's **Topic** is empty.
- \`msg.qos\`: 0, 1 or 2, when the node's **QoS** is empty (0 if neither is set).
- \`msg.retain\`: \`true\` to have the broker keep the message for future subscribers, when the node's **Retain** is
  empty.
- MQTT 5, each used when the node's own field is empty: \`msg.responseTopic\`, \`msg.correlationData\`,
  \`msg.contentType\`, \`msg.userProperties\`, \`msg.messageExpiryInterval\` (seconds), \`msg.topicAlias\`.
- \`msg.action\`: \`connect\` or \`disconnect\` controls the shared connection instead of publishing; \`msg.broker\`
  may then replace its settings, as for the mqtt in node.

### Details
- **Server**: the \`mqtt-broker\` connection to use.
- **Topic**, **QoS**, **Retain**: fixed here, or left empty to come from the message. A value set in the node wins.
- MQTT 5 fields: **Response topic**, **Correlation Data**, **Content Type**, **User Properties** (JSON), **Expiry
  (secs)**.
- **Name**: the label on the canvas.

To clear a retained message, publish an empty message with retain set to the same topic.`,

  'mqtt-broker': `A connection to an MQTT broker, shared by every mqtt in and mqtt out node that names it.

### Details
Connection:

- **Server** and **Port**: the broker's host (1883 is plain MQTT, 8883 usually TLS). For MQTT over WebSocket give a
  whole URL such as \`ws://example.com:4000/mqtt\`.
- **Connect automatically**: connect when the flows start; otherwise wait for a \`connect\` action from a node.
- **Use TLS**, with a \`tls-config\` node for certificates and server checks.
- **Protocol**: MQTT 3.1 (legacy), 3.1.1 or 5.
- **Client ID**: empty for a random one with a clean session; a session that is kept needs a fixed ID, unique on that
  broker.
- **Keep Alive**: seconds between pings, 60 by default.
- **Session**: **Use clean session** (clean start in MQTT 5) forgets subscriptions and queued messages between
  connections; MQTT 5 adds a **Session Expiry** in seconds.
- **Automatically unsubscribe when disconnecting**.

Security: **Username** and **Password**, kept as credentials.

Messages, each off while its topic is empty:

- **Birth message**: published every time the connection is made.
- **Close message**: published just before a normal disconnect (a deploy or a shutdown).
- **Will message**: published by the broker when the connection drops without warning.
Each has a topic, QoS, retain flag and payload, and in MQTT 5 its own properties.

${outbound}`,

  'http in': `Serves an HTTP endpoint: each request becomes a message, to be answered by an http response node.

### Outputs
- \`msg.payload\`: for a GET, the query parameters as an object; otherwise the request body. A body whose content type
  is known is parsed: JSON to an object, a form to its fields, text to a string; with **Do not parse request body** it
  stays a buffer.
- \`msg.req\`: the request: \`headers\`, \`query\` (query parameters), \`params\` (route parameters), \`cookies\`,
  \`body\`, and \`files\` when uploads are on.
- \`msg.res\`: the response to answer. Leave it on the message, and do not use it directly: the http response node
  answers through it.

### Details
- **Method**: GET, POST, PUT, DELETE or PATCH.
- **URL**: the path, such as \`/status\`. A \`:name\` part matches any value and arrives in \`msg.req.params.name\`
  (\`/devices/:id\`).
- **Accept file uploads**: for POST forms with files, which arrive in \`msg.req.files\`.
- **Do not parse request body**: hand the body on as a buffer.
- **Public (no sign-in)**: see below.
- **Name**: the label on the canvas.

This node never answers by itself: without an http response node on the path, the caller waits until it gives up.

${endpoint}`,

  'http response': `Answers the request an http in node received.

### Inputs
- \`msg.payload\`: the body. An object is sent as JSON, a buffer as bytes, anything else as text.
- \`msg.res\`: the request to answer, as the http in node left it.
- \`msg.statusCode\`: the status, 200 by default.
- \`msg.headers\`: headers to send, as an object.
- \`msg.cookies\`: cookies to set or delete (see below).

### Details
- **Status code**: fixed here, or empty to use \`msg.statusCode\`.
- **Headers**: fixed here; a header set in the node wins over the same one in \`msg.headers\`.
- **Name**: the label on the canvas.

\`msg.cookies\` maps each cookie's name to a string (its value) or to an object with \`value\` and options:
\`domain\`, \`path\` (default \`/\`), \`expires\` (a date; none means a session cookie) and \`maxAge\` (milliseconds
from now). A \`null\` value deletes the cookie.

**In Thingwire:** on the UI's own port, Thingwire adds \`Content-Security-Policy: sandbox\` and
\`X-Content-Type-Options: nosniff\` to every answer, and a flow cannot set the Thingwire session cookie.`,

  'http request': `Sends an HTTP request to another server and sends on what it answers.

### Inputs
- \`msg.url\`: the URL, when the node's **URL** is empty.
- \`msg.method\`: GET, POST, PUT, PATCH or DELETE, when **Method** is *set by msg.method*.
- \`msg.payload\`: the body. An object is sent as JSON (unless a content type says otherwise). For a GET it may
  instead become query parameters (see **Payload**).
- \`msg.headers\`: request headers, as an object; headers set in the node win.
- \`msg.cookies\`: cookies to send: each name maps to a string, or to an object with a \`value\`.
- \`msg.rejectUnauthorized\`: \`false\` to accept a server certificate that cannot be verified (self-signed).
- \`msg.followRedirects\`: \`false\` to stop at a redirect instead of following it.
- \`msg.requestTimeout\`: milliseconds to wait for the answer, instead of the runtime's 120 s.

### Outputs
- \`msg.payload\`: the response body, as **Return** says.
- \`msg.statusCode\`: the response status, or an error code when no answer came.
- \`msg.headers\`: the response headers.
- \`msg.responseUrl\`: the final URL after any redirects.
- \`msg.responseCookies\`: cookies the response set, by name.
- \`msg.redirectList\`: each redirect followed, with its \`location\` and \`cookies\`.

### Details
- **Method**: fixed, or *set by msg.method*.
- **URL**: may hold Mustache tags filled from the message: \`https://example.com/{{{topic}}}\` (triple braces keep
  \`/\` and \`&\` as they are).
- **Payload**: for a GET, *Ignore* the payload, *Append to query-string parameters* (an object's keys), or *Send as
  request body*.
- **Use custom SSL/TLS configuration**: a \`tls-config\` node for certificates.
- **Use authentication**: basic, digest, or bearer (a token), with the credentials kept as secrets.
- **Enable connection keep-alive**.
- **Use proxy**: an \`http proxy\` node. Without one the \`http_proxy\` environment variable applies.
- **Only send non-2xx responses to Catch node**: a response that is not a success becomes an error for catch nodes
  instead of an output.
- **Disable strict HTTP parsing**: accept malformed responses from old devices.
- **Return**: *a UTF-8 string*, *a binary buffer*, or *a parsed JSON object* (text when it is not JSON).
- **Headers**: headers to send, each a fixed name and value or taken from the message.
- **Name**: the label on the canvas.

Forms and uploads: set \`msg.headers["content-type"]\` to \`application/x-www-form-urlencoded\` to send an object as
form fields, or to \`multipart/form-data\` for a file upload, with \`msg.payload\` shaped \`{field: {value: contents,
options: {filename: "name"}}}\`.

Two request nodes in a row: the first leaves the response headers in \`msg.headers\`, and the second would send them.
The second ignores \`msg.headers\` left unchanged from a response; to send your own headers, set \`msg.headers\` to a
new object between the two.

${outbound}`,

  'websocket in': `Receives what WebSocket peers send, through a listener (an endpoint here) or a client (a connection
out).

### Outputs
- \`msg.payload\`: the data received. With the connection set to *entire message*, the data is parsed as JSON and
  becomes the whole message.
- \`msg._session\`: which connection it came from (\`type\` \`websocket\` and an \`id\`), so a websocket out node can
  answer that peer alone.

### Details
- **Type**: *Listen on* a \`websocket-listener\` (peers connect to this server) or *Connect to* a \`websocket-client\`
  (this server connects out).
- **Path** or **URL**: the listener or client to use.
- **Name**: the label on the canvas.

Connections opening and closing show as the node's status, which a status node can read.`,

  'websocket out': `Sends each message over a WebSocket: to the peer that asked, or to every connected peer.

### Inputs
- \`msg.payload\`: what to send; or the whole message as JSON, when the connection is set to *entire message*.
- \`msg._session\`: from a websocket in node: the message goes back only to that peer. Without it, it goes to every
  peer connected to the listener.

### Details
- **Type**: *Listen on* a \`websocket-listener\` or *Connect to* a \`websocket-client\`.
- **Path** or **URL**: the listener or client to use.
- **Name**: the label on the canvas.

To send a message that came in through a websocket in node to everyone, delete \`msg._session\` on the way.`,

  'websocket-listener': `A WebSocket endpoint on this server, shared by the websocket in and websocket out nodes that
name it.

### Details
- **Path**: where peers connect, below \`/nodes\`: the path \`/ws/alerts\` is \`ws://host:1880/nodes/ws/alerts\`. The
  match is exact: case and a trailing slash count.
- **Send/Receive**: *payload* (only \`msg.payload\` travels) or *entire message* (the whole message as JSON).
- **Public (no sign-in)**: see below.

${endpoint} A browser page from another origin cannot connect to an endpoint that is not public, whatever its
credentials.`,

  'websocket-client': `A WebSocket connection from this server to another, shared by the websocket in and websocket
out nodes that name it.

### Details
- **URL**: \`ws://\` or \`wss://\` and the address.
- **TLS configuration**: a \`tls-config\` node for \`wss://\`.
- **Subprotocol**: the subprotocols to ask for, comma-separated.
- **Send/Receive**: *payload* or *entire message*, as for a listener.
- **Send heartbeat**: seconds between pings; a connection that does not answer is closed and opened again. Empty or 0:
  off.
- **Headers**: extra headers for the opening request, such as an \`Authorization\` header.

A lost connection is retried every 3 seconds.

${outbound}`,

  'tcp in': `Receives data over TCP, by listening on a port of this server or by connecting to another host.

### Outputs
- \`msg.payload\`: the data, as **Output** says: a buffer, a string or base64 text.
- \`msg.topic\`: the node's **Topic**.
- \`msg.ip\` and \`msg.port\`: the peer's address, for connections to a listening port.
- \`msg._session\`: the connection (\`type\` \`tcp\` and an \`id\`), so a tcp out node in *Reply to TCP* mode can
  answer it.

### Details
- **Type**: *Listen on* a port, or *Connect to* a host and port (reconnecting when the connection drops).
- **Use custom SSL/TLS configuration**: a \`tls-config\` node, in either mode.
- **Output**: a *stream of* pieces as they arrive, or a *single* message per connection, sent when it closes; as a
  Buffer, String or Base64 String.
- **delimited by**: for a string stream, cut it at this text (\`\\n\` by default); **re-attach delimiter** keeps it on
  each piece.
- **Topic**: put into \`msg.topic\`.
- **Name**: the label on the canvas.

Ports below 1024 may need the server to run as root.

${listensOnHost}`,

  'tcp out': `Sends \`msg.payload\` over TCP: to a host, to peers connected to a port here, or back to whoever sent a
message to a tcp in node.

### Inputs
- \`msg.payload\`: what to send; only the payload travels.
- \`msg._session\`: in *Reply to TCP* mode, the connection to answer. Without it, the message goes to every connected
  peer.
- \`msg.reset\`: in *Reply to TCP* mode, \`true\` closes the connection in \`msg._session\`, or every one without it.

### Details
- **Type**: *Connect to* a host and port, *Listen on* a port (sending to every peer connected there), or *Reply to
  TCP* (answering through a tcp in node's connections).
- **Decode Base64 message**: turn a base64 payload back into bytes before sending.
- **Close connection after each message is sent**.
- **Use custom SSL/TLS configuration**, for *Connect to* and *Listen on*: a \`tls-config\` node.
- **Name**: the label on the canvas.

Ports below 1024 may need the server to run as root.

${outbound} In *Listen on* mode it also opens a port of the server, outside the \`/nodes\` gate and without sign-in.`,

  'tcp request': `Sends \`msg.payload\` to a TCP server and passes on the answer: one request, one response.

### Inputs
- \`msg.payload\`: the request to send.
- \`msg.host\` and \`msg.port\`: the server, when the node leaves them empty (then every message must carry them).
- \`msg.reset\`: in *never* mode, \`true\` closes the connection (a \`"host:port"\` string closes that one); it
  reconnects on the next message.

### Outputs
- \`msg.payload\`: the response, as a buffer by default (\`msg.payload.toString()\` gives text), or as **Output**
  says.

### Details
- **Server** and **port**: where to connect.
- **Return**: when the answer is complete:
  - *after a fixed timeout of* a time, counted from the first byte received;
  - *when character received is* a given character;
  - *after a fixed number of characters*;
  - *never*: keep the connection open and send on whatever arrives;
  - *immediately*: send and close without waiting for an answer.
- **Output**: a Buffer or a String.
- **Use custom SSL/TLS configuration**: a \`tls-config\` node.
- **Name**: the label on the canvas.

${outbound}`,

  'udp in': `Receives UDP datagrams on a port of this server, plain or multicast.

### Outputs
- \`msg.payload\`: the datagram, as **Output** says: a Buffer, a String or base64 text.
- \`msg.ip\` and \`msg.port\`: where it came from; \`msg.fromip\` is both as \`ip:port\`.

### Details
- **Listen for**: *udp messages*, or *multicast messages* of a **Group** (optionally on a **Local IF**).
- **on Port**: the port to listen on.
- **using**: IPv4 or IPv6.
- **Output**: a Buffer, a String or a Base64 encoded string.
- **Name**: the label on the canvas.

Ports below 1024 and broadcast may need the server to run as root.

${listensOnHost}`,

  'udp out': `Sends \`msg.payload\` as a UDP datagram: to one host, as a broadcast, or to a multicast group.

### Inputs
- \`msg.payload\`: what to send.
- \`msg.ip\` and \`msg.port\`: where to, when the node leaves them empty; the node's own address and port win.

### Details
- **Send a**: *udp message*, *broadcast message* (to your network's broadcast address, or \`255.255.255.255\`) or
  *multicast message* (to a group, optionally on a **Local IF**).
- **Address** and **to port**: the destination.
- **using**: IPv4 or IPv6.
- **bind to**: a random local port, a chosen local port, or the same port as the target.
- **Decode Base64 encoded payload**: send the bytes a base64 payload stands for.
- **Name**: the label on the canvas.

Ports below 1024 and broadcast may need the server to run as root.

${outbound}`,

  'tls-config': `Certificates and checks for TLS connections, shared by the nodes that name it (MQTT, HTTP request,
TCP, WebSocket).

### Details
- **Certificate**, **Private Key** and **Passphrase**: this side's own certificate and key (PEM), when the other side
  asks for one; the passphrase unlocks the key.
- **CA Certificate**: the authority to trust for the other side's certificate, when it is not a public one.
- **Use key and certificates from local files**: give file paths on the server instead of uploading the files'
  contents.
- **Verify server certificate**: refuse a server whose certificate does not check out. Turn it off only for tests.
- **Server Name**: the name to ask for (SNI), when it differs from the host.
- **ALPN Protocol**: the application protocol to ask for.
- **Name**: the label in the nodes that use it.

Uploaded keys and the passphrase are kept as credentials, sealed at rest.`,

  'http proxy': `A proxy for http request nodes to go through.

### Details
- **URL**: the proxy, such as \`http://proxy.example.com:8080\`.
- **Use proxy authentication**: a **Username** and **Password**, kept as credentials.
- **Ignore hosts**: hosts reached directly, without the proxy.
- **Name**: the label in the nodes that use it.

A proxy set here wins over the \`http_proxy\` environment variable.`,

  split: `Cuts one message into many: a string into lines, an array into items, an object into its keys.

### Inputs
- \`msg.payload\` (or the chosen property), handled by its type:
  - a string or buffer is cut at a separator (\`\\n\` by default), at a byte sequence, or into pieces of a fixed
    length;
  - an array is cut into single items, or into arrays of a fixed length;
  - an object gives one message per key and value.

### Outputs
- One message per piece, the piece in \`msg.payload\` (or the chosen property), the other properties copied.
- \`msg.parts\`: where the piece belongs, so a join node can put the whole back together.

### Details
- **Split property**: the message property to cut, \`msg.payload\` by default.
- **String / Buffer**: **Split using** a string, a buffer (byte values) or a fixed length.
- **Handle as a stream of messages**: for text arriving in chunks (a serial line, a TCP stream): a piece left without
  its separator at the end is kept and put in front of the next message. The sequence then has no \`count\`, so a join
  node in automatic mode cannot close it.
- **Array**: **Split using** a fixed length (1: each item on its own).
- **Object**: **Copy key to** a message property, such as \`msg.topic\`, as well as to \`msg.parts.key\`.
- **Name**: the label on the canvas.

${parts}`,

  join: `Puts a sequence of messages back into one: reverses a split, collects values, or reduces them with an
expression.

### Inputs
- Any message; in automatic mode each must carry \`msg.parts\`.
- \`msg.parts\`: the message's place in its sequence (see below); a split node sets it, and you may set it yourself.
- \`msg.complete\`: send what has been collected now, this message included (delete its payload to leave it out).
- \`msg.reset\`: throw away what has been collected, unsent.
- \`msg.restartTimeout\`: start the timeout again.

### Outputs
- One message with the combined result in \`msg.payload\` (or the chosen property). Its other properties come from the
  last message received.

### Details
- **Mode**:
  - *automatic*: uses \`msg.parts\` to undo what a split node did.
  - *manual*: combines as you set below.
  - *reduce sequence*: runs an expression over each message of a sequence (see below).
- Manual mode:
  - **Combine each**: a message property (\`msg.payload\` by default) or the *complete message*.
  - **to create**: *a String* or *a Buffer*, joined with the given text or bytes; *an Array*; *a key/value Object*,
    each value under the key a property gives (\`msg.topic\` by default); or *a merged Object*, the properties of each
    object merged into one.
  - **Send the message**: *after a number of message parts* (with objects, optionally *and every subsequent message*),
    *after a timeout following the first message*, and *after a message with the \`msg.complete\` property set*.
- Reduce mode:
  - **Reduce exp**: a JSONata expression run on each message, whose result is the accumulated value for the next. It
    can use \`$A\` (the value so far), \`$I\` (the message's index) and \`$N\` (the number of messages).
  - **Initial value**: the first \`$A\`.
  - **Fix-up exp**: an optional expression run once at the end, with \`$A\` and \`$N\`.
  - **Evaluate in reverse order**: last message first.
- **Name**: the label on the canvas.

In reduce mode, **Reduce exp** \`$A+payload\`, **Initial value** 0 and **Fix-up exp** \`$A/$N\` give the mean of a
sequence of numbers. \`$N\` counts every message that arrives, repeats included.

${parts} \`msg.complete\` and \`msg.reset\` also start the part count again. ${buffered}`,

  sort: `Sorts an array in a message, or reorders the messages of a sequence.

### Inputs
- A message with an array in the chosen property, or the messages of a sequence, each with \`msg.parts\` (\`id\`,
  \`index\`, \`count\`), as a split node sets them.

### Outputs
- The message with its array sorted; or the sequence's messages, in the new order, with their \`msg.parts.index\`
  renumbered.

### Details
- **Sort**: a message property that holds an array, or the *message sequence*.
- **Key**: for an array, the *element value* itself or a JSONata expression over each element; for a sequence, a
  message property (\`msg.payload\` by default) or a JSONata expression over each message.
- **Order**: ascending or descending; **as number** compares numerically (so 10 comes after 9).
- **Name**: the label on the canvas.

A sequence is sorted once all its messages have arrived. ${buffered}`,

  batch: `Groups a stream of messages into sequences: by count, by time, or by gluing sequences together.

### Inputs
- Any message.
- \`msg.reset\`: throw away the messages held, unsent.

### Outputs
- The same messages, each with a new \`msg.parts\` that marks its place in the new sequence.

### Details
- **Mode**:
  - *Group by number of messages*: sequences of **Number of messages**; **Overlap** repeats that many messages of one
    sequence at the start of the next (a sliding window). **Allow msg.parts to also complete batch operation**: a
    sequence that arrives ends the batch with its last message.
  - *Group by time interval*: the messages that arrive in each **Interval** (seconds) form a sequence; **send empty
    message when no message arrives** sends an empty one for an interval with none.
  - *Concatenate sequences*: sequences of the listed **Topics** (\`msg.topic\`) are sent one after the other, in the
    order listed, as a single sequence; each message needs \`msg.topic\` and \`msg.parts\`.
- **Name**: the label on the canvas.

${buffered}`,

  csv: `Turns CSV text into objects and objects back into CSV text.

### Inputs
- \`msg.payload\`: CSV text to parse; or an object, an array of objects, an array of arrays or an array of values to
  write as CSV.
- \`msg.columns\`: when writing and **Columns** is empty, a comma-separated list of the properties to write, in order.
- \`msg.reset\`: with headers sent once, send them again with the next output.
- \`msg.parts\`: a CSV file arriving in pieces (from a file in or split node) is read as one whole.

### Outputs
- From CSV: one message per row, each \`msg.payload\` an object of column names and values; or one message with an
  array of them. \`msg.columns\` holds the column names, comma-separated. Rows sent one by one carry \`msg.parts\`, as
  a complete sequence.
- To CSV: \`msg.payload\` is the CSV text, and \`msg.columns\` the columns written. A plain array of values gives one
  line; each array or object in an array gives a line of its own.

### Details
- **Columns**: the column names, comma-separated (always commas, whatever the separator). From CSV they name the
  properties; to CSV they choose the properties to write and their order. Empty: from CSV the columns are \`col1\`,
  \`col2\`, …; to CSV all properties of the first row, in their order.
- **Separator**: comma, tab, space, semicolon, colon, hashtag or another character.
- **Parser**: *RFC4180* (the default, strict: a malformed header or row is an error a catch node can take; the columns
  must then follow RFC 4180) or *Legacy*, to be removed.
- CSV to object: **Skip first** lines; **first row contains column names**; **parse numerical values** (\`"1.5"\`
  becomes 1.5); **include empty strings** and **include null values** (keep empty fields instead of leaving them out);
  **Output**: *a message per row* or *a single message [array]*.
- Object to CSV: **Output** column headers *never*, *always*, or *once, until msg.reset*; **Newline**: Linux
  (\`\\n\`), Mac (\`\\r\`) or Windows (\`\\r\\n\`, the default).
- **Name**: the label on the canvas.`,

  html: `Picks elements out of an HTML document with a CSS selector.

### Inputs
- \`msg.payload\` (or the chosen property): the HTML text.
- \`msg.select\`: the selector, when the node's own is empty.

### Outputs
- \`msg.payload\` (or the chosen property): an array of what each matched element gives; or one message per element,
  each with \`msg.parts\`, forming a sequence.

### Details
- **Property**: where the HTML is, \`msg.payload\` by default.
- **Selector**: a CSS selector (jQuery-style selectors also work), such as \`h1\` or \`.price\`.
- **Output**: per element, *the html content*, *only the text content*, *an object of any attributes*, or *an object
  of any attributes and html contents* (the content under **Property name for HTML content**, \`_\` by default); sent
  *as a single message containing an array* or *as multiple messages, one for each element*.
- **in**: the property for the result, \`msg.payload\` by default.
- **Name**: the label on the canvas.`,

  json: `Turns JSON text into an object and an object into JSON text.

### Inputs
- \`msg.payload\` (or the chosen property): JSON text or an object.
- \`msg.schema\`: a JSON Schema to check the value against. It is removed from the message before it goes on.

### Outputs
- The same property, converted: text that is JSON becomes an object; an object becomes JSON text.
- \`msg.schemaError\`: when the schema check fails, the list of what failed, on the message catch nodes get.

### Details
- **Action**: *Convert between JSON String & Object* (each way, by what arrives), *Always convert to JSON String*, or
  *Always convert to JavaScript Object*. The last one makes a payload an object even when an http in node did not
  parse a body with a wrong content type.
- **Property**: the message property to convert, \`msg.payload\` by default.
- **Format JSON string**: indent the text it writes.
- **Name**: the label on the canvas.

A string that must stay a string is passed on as it is: the node does not check that it is JSON, nor format it.`,

  xml: `Turns XML text into an object and an object into XML text.

### Inputs
- \`msg.payload\` (or the chosen property): XML text or an object.
- \`msg.options\`: settings for the xml2js library that does the work, for either direction.

### Outputs
- The same property, converted: XML text becomes an object; an object becomes XML text.

### Details
- **Property**: the message property to convert, \`msg.payload\` by default.
- **Property name for XML tag attributes**: where a tag's attributes go, \`$\` by default.
- **Property name for tag text content**: where a tag's text goes, \`_\` by default.
- **Name**: the label on the canvas.

For example \`<p class="tag">Hello</p>\` becomes \`{"p": {"$": {"class": "tag"}, "_": "Hello"}}\`.`,

  yaml: `Turns YAML text into an object and an object into YAML text.

### Inputs
- \`msg.payload\` (or the chosen property): YAML text or an object.

### Outputs
- The same property, converted: YAML text becomes an object; an object becomes YAML text.

### Details
- **Property**: the message property to convert, \`msg.payload\` by default.
- **Name**: the label on the canvas.`,

  file: `Appends each message's payload to a file on the server, replaces the file's content with it, or deletes the
file.

### Inputs
- \`msg.payload\`: what to write.
- \`msg.filename\` (or another property **Filename** names): the file, when it comes from the message.
- \`msg.encoding\`: the encoding, when **Encoding** is *set by msg.encoding*.

### Outputs
- The message, once the file is written, with \`msg.filename\` set.

### Details
- **Filename**: a fixed path, or one from a message property, context, an environment variable or an expression. A
  relative path is taken from the server's working directory.
- **Action**: *append to file*, *overwrite file* (for binary data such as an image, with the newline off), or *delete
  file*.
- **Add newline (\\n) to each payload**.
- **Create directory if it doesn't exist**.
- **Encoding**: how text is written: default (UTF-8), one of many code pages, or *set by msg.encoding*.
- **Name**: the label on the canvas.

A fixed filename keeps the file open between writes; a filename from the message opens and closes it each time.

${hostNode}`,

  'file in': `Reads a file on the server, whole or in pieces.

### Inputs
- \`msg.filename\` (or another property **Filename** names): the file, when it comes from the message.

### Outputs
- \`msg.payload\`: the content, as **Output** says.
- \`msg.filename\`: the file read.
- Pieces (lines or chunks) carry \`msg.parts\`, forming a complete sequence.

### Details
- **Filename**: a fixed path, or one from a message property, context, an environment variable or an expression. Use
  an absolute path: a relative one is taken from the server's working directory.
- **Output**: *a single utf8 string*, *a msg per line*, *a single Buffer object*, or *a stream of Buffers* (chunks of
  about 64 KB).
- **Encoding**: how text is read, for the string outputs.
- **include all existing properties in each msg**: copy the input message's properties to every piece, not only the
  first.
- **Send message on error (legacy mode)**: also send a message with the error, besides reporting it.
- **Name**: the label on the canvas.

A file that cannot be read is reported as an error a catch node can take.

${hostNode}`,

  watch: `Sends a message when a watched file or directory on the server changes.

### Outputs
- \`msg.payload\` and \`msg.filename\`: the full path of what changed.
- \`msg.file\`: its name alone.
- \`msg.type\`: \`file\` or \`directory\`.
- \`msg.size\`: its size in bytes.
- \`msg.topic\`: the list of watched paths.

### Details
- **File(s)**: paths, comma-separated; quote a path with spaces.
- **Watch sub-directories recursively**.
- **Name**: the label on the canvas.

A path must exist when the flow starts; one that is deleted and made again may no longer be watched.

${hostNode}`,
};
