/** The udev publisher's contract with its subscribers lives in @quarry/events (subscribers may not import publishers). */
export {
  UDEV_PUBLISHER_TYPE, udevSubscriptionMatches,
  type UdevDeviceEvent, type UdevEventContext, type UdevSubscription, type UeventEnrichment, type UeventSource,
} from '@quarry/events';
