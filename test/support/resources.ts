export { closeAll, track } from '../../libs/approval-events/test/resources';
