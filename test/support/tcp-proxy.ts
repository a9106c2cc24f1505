export { startTcpProxy, type TcpProxy } from '../../libs/approval-events/test/tcp-proxy';
