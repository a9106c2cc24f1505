export { delay, eventually, handled } from '../../libs/approval-events/test/polling';
