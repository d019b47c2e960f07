/**
 * The contract between the udev publisher (@quarry/publishers, osquery type `udev`) and hardware_events; it lives here
 * because subscribers may not import publishers. The publisher fires one device event, from the kernel (a raw uevent) or from udevd
 * (a "libudev" message carrying udev's ID_* properties). Subscribers subscribe with filters on the event's fields;
 * an empty subscription takes every event (hardware_events subscribes that way, as osquery's does).
 */
import type { EventContext } from './types.js';

export const UDEV_PUBLISHER_TYPE = 'udev';

/** Which netlink multicast group the event came from: 1 = the kernel's uevents, 2 = udevd's processed events. */
export type UeventSource = 'kernel' | 'udev';

/** Where the properties beyond the message itself came from (kernel events only). */
export type UeventEnrichment = 'none' | 'udev-database' | 'sysfs';

export interface UdevDeviceEvent {
  /** The raw action: add, remove, change, move, online, offline, bind, unbind, ... */
  action: string;
  /** The device path below /sys, e.g. /devices/virtual/block/loop0. */
  devpath: string;
  subsystem: string;
  /** DEVTYPE ('' when the device has none). */
  devtype: string;
  /** The device node, always absolute (/dev/ + the kernel's DEVNAME), '' when the device has none. */
  devnode: string;
  /** DRIVER, else the name the sysfs `driver` link points to, else ''. */
  driver: string;
  /** Every KEY=VALUE of the message, plus what enrichment added (kernel events; message values win). */
  properties: Readonly<Record<string, string>>;
  source: UeventSource;
  enrichment: UeventEnrichment;
}

export interface UdevEventContext extends EventContext, UdevDeviceEvent {}

/** Filters of one subscription; an absent or empty field matches everything (osquery's UdevSubscriptionContext). */
export interface UdevSubscription {
  action?: string;
  subsystem?: string;
  devtype?: string;
  driver?: string;
  devnode?: string;
}

/** True when `event` passes every non-empty filter of `subscription`. */
export function udevSubscriptionMatches(subscription: UdevSubscription, event: UdevDeviceEvent): boolean {
  if (subscription.action && subscription.action !== event.action) return false;
  if (subscription.subsystem && subscription.subsystem !== event.subsystem) return false;
  if (subscription.devtype && subscription.devtype !== event.devtype) return false;
  if (subscription.driver && subscription.driver !== event.driver) return false;
  if (subscription.devnode && subscription.devnode !== event.devnode) return false;
  return true;
}
