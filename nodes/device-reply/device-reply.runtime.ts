import { implementNode } from '../kit/implement-node.ts';
import { deviceReply } from './device-reply.def.ts';

/** Answers by `msg.thing.replyToken`; a message nobody waits for passes through unanswered. */
export const deviceReplyNode = implementNode(deviceReply, ({ config, services }) => ({
  onInput(msg, send, done) {
    const token = (msg['thing'] as { replyToken?: string } | undefined)?.replyToken;
    msg['replied'] = token ? services.deviceHub.reply(token, config.code, config.sendPayload ? msg.payload : {}, config.message) : false;
    send(msg);
    done();
  },
}));
