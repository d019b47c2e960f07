/**
 * hardware_events: one row per device event of the udev publisher, with osquery's drop rules: no row when the event
 * has no devtype, has neither a device node nor a driver, has neither a path nor a model, or when its devtype is a
 * substring of --hardware_disabled_types (default `partition`; osquery tests `flag.find(devtype)`, so `disk,usb_device`
 * drops both and also any devtype that is part of one of them). The columns come from udev's properties:
 * model ID_MODEL_FROM_DATABASE, model_id ID_MODEL_ID, vendor ID_VENDOR_FROM_DATABASE, vendor_id ID_VENDOR_ID,
 * serial ID_SERIAL_SHORT, revision ID_REVISION. For events read from the kernel (udevd not running) the hwdb names
 * are missing; vendor and model then fall back to ID_VENDOR / ID_MODEL (the device's own strings, from sysfs).
 */
import type { EventRingApi } from '@quarry/buffers';
import {
  EventSubscriber, UDEV_PUBLISHER_TYPE, flagValue,
  type EventRowValues, type FlagSource, type UdevEventContext, type UdevSubscription,
} from '@quarry/events';
import type { TableDefinition } from '@quarry/sql';
import { HARDWARE_EVENTS_COLUMNS, HARDWARE_EVENTS_DESCRIPTION, hardwareEventsTable } from './hardware-events-table.js';

export const HARDWARE_DISABLED_TYPES_DEFAULT = 'partition';

export interface HardwareEventsSubscriberOptions {
  flags: FlagSource;
}

/** Why events became no row, counted for osquery_events.status. */
export interface HardwareEventsDrops {
  noType: number;
  noNodeNorDriver: number;
  noPathNorModel: number;
  disabledType: number;
}

export type HardwareRowDecision = { row: EventRowValues } | { dropped: keyof HardwareEventsDrops };

/** osquery's mapping and drop rules for one event (see the file comment). */
export function hardwareEventRow(ctx: UdevEventContext, disabledTypes: string): HardwareRowDecision {
  if (ctx.devtype === '') return { dropped: 'noType' };
  if (ctx.devnode === '' && ctx.driver === '') return { dropped: 'noNodeNorDriver' };
  if (disabledTypes.includes(ctx.devtype)) return { dropped: 'disabledType' };
  const p = ctx.properties;
  const fromKernel = ctx.source === 'kernel';
  const model = p.ID_MODEL_FROM_DATABASE ?? (fromKernel ? p.ID_MODEL : undefined) ?? '';
  if (ctx.devnode === '' && model === '') return { dropped: 'noPathNorModel' };
  return {
    row: {
      action: ctx.action,
      path: ctx.devnode,
      type: ctx.devtype,
      driver: ctx.driver,
      vendor: p.ID_VENDOR_FROM_DATABASE ?? (fromKernel ? p.ID_VENDOR : undefined) ?? '',
      vendor_id: p.ID_VENDOR_ID ?? '',
      model,
      model_id: p.ID_MODEL_ID ?? '',
      serial: p.ID_SERIAL_SHORT ?? '',
      revision: p.ID_REVISION ?? '',
    },
  };
}

export class HardwareEventsSubscriber extends EventSubscriber<UdevSubscription, UdevEventContext, EventRingApi> {
  readonly name = 'hardware_events';
  readonly publisherType = UDEV_PUBLISHER_TYPE;
  readonly description = HARDWARE_EVENTS_DESCRIPTION;
  readonly columns = HARDWARE_EVENTS_COLUMNS;
  readonly disabledTypes: string;
  private readonly drops: HardwareEventsDrops = { noType: 0, noNodeNorDriver: 0, noPathNorModel: 0, disabledType: 0 };

  constructor(options: HardwareEventsSubscriberOptions) {
    super();
    const value = flagValue(options.flags, 'hardware_disabled_types');
    this.disabledTypes = typeof value === 'string' ? value : HARDWARE_DISABLED_TYPES_DEFAULT;
  }

  /** Events that became no row, by osquery's rule. */
  dropCounts(): HardwareEventsDrops {
    return { ...this.drops };
  }

  configure(): UdevSubscription[] {
    return [{}];
  }

  table(ring: EventRingApi | undefined): TableDefinition {
    return hardwareEventsTable(ring);
  }

  protected override statusDetail(): string {
    const d = this.drops;
    const total = d.noType + d.noNodeNorDriver + d.noPathNorModel + d.disabledType;
    if (total === 0) return '';
    return `${total} event(s) without a row: ${d.noType} without a device type, ${d.noNodeNorDriver} without a node or driver, ` +
      `${d.noPathNorModel} without a path or model, ${d.disabledType} of a type in --hardware_disabled_types=${JSON.stringify(this.disabledTypes)}`;
  }

  protected toRows(ctx: UdevEventContext): EventRowValues[] {
    const decision = hardwareEventRow(ctx, this.disabledTypes);
    if ('dropped' in decision) {
      this.drops[decision.dropped]++;
      return [];
    }
    return [decision.row];
  }
}
