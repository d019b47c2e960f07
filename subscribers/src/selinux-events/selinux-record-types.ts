/**
 * The audit record types osquery treats as SELinux records (linux/audit.h: USER_AVC and the 1400-1417 kernel MAC
 * range), with the labels selinux_events shows in its `type` column.
 */
export const SELINUX_RECORD_TYPES: ReadonlyMap<number, string> = new Map([
  [1107, 'USER_AVC'],
  [1400, 'AVC'],
  [1401, 'SELINUX_ERR'],
  [1402, 'AVC_PATH'],
  [1403, 'MAC_POLICY_LOAD'],
  [1404, 'MAC_STATUS'],
  [1405, 'MAC_CONFIG_CHANGE'],
  [1406, 'MAC_UNLBL_ALLOW'],
  [1407, 'MAC_CIPSOV4_ADD'],
  [1408, 'MAC_CIPSOV4_DEL'],
  [1409, 'MAC_MAP_ADD'],
  [1410, 'MAC_MAP_DEL'],
  [1411, 'MAC_IPSEC_ADDSA'],
  [1412, 'MAC_IPSEC_DELSA'],
  [1413, 'MAC_IPSEC_ADDSPD'],
  [1414, 'MAC_IPSEC_DELSPD'],
  [1415, 'MAC_IPSEC_EVENT'],
  [1416, 'MAC_UNLBL_STCADD'],
  [1417, 'MAC_UNLBL_STCDEL'],
]);

/** The label of a SELinux record type, or the number as text for any other type. */
export function selinuxTypeLabel(type: number): string {
  return SELINUX_RECORD_TYPES.get(type) ?? String(type);
}
