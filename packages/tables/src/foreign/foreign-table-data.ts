/**
 * osquery's tables that are not built on Linux (macOS, Windows), with their columns, from osquery's published schema
 * 5.7.0 (osquery-site's src/data/osquery_schema_versions/5.7.0.json, the newest schema file osquery publishes: every
 * table whose `platforms` leave out linux; columns of another platform only, such as Windows' hidden `sid`, are
 * kept). It lists no FreeBSD table: osquery builds none any more. Tables added after 5.7 are not in it yet.
 * One table a line: `name platforms column:TYPE ...`; TYPE T text, I integer, B bigint, U unsigned bigint,
 * D double, X blob; `~` marks a hidden column. scripts/extract-foreign-tables.mjs regenerates this list from such a
 * schema file.
 */
export const FOREIGN_TABLE_DATA = `
account_policy_data darwin uid:B creation_time:D failed_login_count:B failed_login_timestamp:D password_last_set_time:D
ad_config darwin name:T domain:T option:T value:T
alf darwin allow_signed_enabled:I firewall_unload:I global_state:I logging_enabled:I logging_option:I stealth_enabled:I version:T
alf_exceptions darwin path:T state:I
alf_explicit_auths darwin process:T
app_schemes darwin scheme:T handler:T enabled:I external:I protected:I
appcompat_shims windows executable:T path:T description:T install_time:I type:T sdb_id:T
apps darwin name:T path:T bundle_executable:T bundle_identifier:T bundle_name:T bundle_short_version:T bundle_version:T bundle_package_type:T environment:T element:T compiler:T development_region:T display_name:T info_string:T minimum_system_version:T category:T applescript_enabled:T copyright:T last_opened_time:D
asl darwin time:I time_nano_sec:I host:T sender:T facility:T pid:I gid:B uid:B level:I message:T ref_pid:I ref_proc:T extra:T
authenticode windows path:T original_program_name:T serial_number:T issuer_name:T subject_name:T result:T
authorization_mechanisms darwin label:T plugin:T mechanism:T privileged:T entry:T
authorizations darwin label:T modified:T allow_root:T timeout:T version:T tries:T authenticate_user:T shared:T comment:T created:T class:T session_owner:T
autoexec windows path:T name:T source:T
background_activities_moderator windows path:T last_execution_time:B sid:T
battery darwin manufacturer:T manufacture_date:I model:T serial_number:T cycle_count:I health:T condition:T state:T charging:I charged:I designed_capacity:I max_capacity:I current_capacity:I percent_remaining:I amperage:I voltage:I minutes_until_empty:I minutes_to_full_charge:I
bitlocker_info windows device_id:T drive_letter:T persistent_volume_id:T conversion_status:I protection_status:I encryption_method:T version:I percentage_encrypted:I lock_status:I
browser_plugins darwin uid:B name:T identifier:T version:T sdk:T description:T development_region:T native:I path:T disabled:I
chassis_info windows audible_alarm:T breach_description:T chassis_types:T description:T lock:T manufacturer:T model:T security_breach:T serial:T smbios_tag:T sku:T status:T visible_alarm:T
chocolatey_packages windows name:T version:T summary:T author:T license:T path:T
connectivity windows disconnected:I ipv4_no_traffic:I ipv6_no_traffic:I ipv4_subnet:I ipv4_local_network:I ipv4_internet:I ipv6_subnet:I ipv6_local_network:I ipv6_internet:I
crashes darwin type:T pid:B path:T crash_path:T identifier:T version:T parent:B responsible:T uid:I datetime:T crashed_thread:B stack_trace:T exception_type:T exception_codes:T exception_notes:T registers:T
cups_destinations darwin name:T option_name:T option_value:T
cups_jobs darwin title:T destination:T user:T format:T size:I completed_time:I processing_time:I creation_time:I
default_environment windows variable:T value:T expand:I
device_firmware darwin type:T device:T version:T
disk_events darwin action:T path:T name:T device:T uuid:T size:B ejectable:I mountable:I writable:I content:T media_name:T vendor:T filesystem:T checksum:T time:B eid:T~
disk_info windows partitions:I disk_index:I type:T id:T pnp_device_id:T disk_size:B manufacturer:T hardware_model:T name:T serial:T description:T
dns_cache windows name:T type:T flags:I
drivers windows device_id:T device_name:T image:T description:T service:T service_key:T version:T inf:T class:T provider:T manufacturer:T driver_key:T date:B signed:I
es_process_events darwin version:I seq_num:B global_seq_num:B pid:B path:T parent:B original_parent:B cmdline:T cmdline_count:B env:T env_count:B cwd:T uid:B euid:B gid:B egid:B username:T signing_id:T team_id:T cdhash:T platform_binary:I exit_code:I child_pid:B time:B event_type:T eid:T~ codesigning_flags:T
es_process_file_events darwin version:I seq_num:B global_seq_num:B pid:B parent:B path:T filename:T dest_filename:T event_type:T time:B eid:T~
event_taps darwin enabled:I event_tap_id:I event_tapped:T process_being_tapped:I tapping_process:I
fan_speed_sensors darwin fan:T name:T actual:I min:I max:I target:I
gatekeeper darwin assessments_enabled:I dev_id_enabled:I version:T opaque_version:T
gatekeeper_approved_apps darwin path:T requirement:T ctime:D mtime:D
homebrew_packages darwin name:T path:T version:T prefix:T~
hvci_status windows version:T instance_identifier:T vbs_status:T code_integrity_policy_enforcement_status:T umci_policy_status:T
ibridge_info darwin boot_uuid:T coprocessor_version:T firmware_version:T unique_chip_id:T
ie_extensions windows name:T registry_path:T version:T path:T
iokit_devicetree darwin name:T class:T id:B parent:B device_path:T service:I busy_state:I retain_count:I depth:I
iokit_registry darwin name:T class:T id:B parent:B busy_state:I retain_count:I depth:I
kernel_extensions darwin idx:I refs:I size:B name:T version:T linked_against:T path:T
kernel_panics darwin path:T time:T registers:T frame_backtrace:T module_backtrace:T dependencies:T name:T os_version:T kernel_version:T system_model:T uptime:B last_loaded:T last_unloaded:T
keychain_acls darwin keychain_path:T authorizations:T path:T description:T label:T
keychain_items darwin label:T description:T comment:T account:T created:T modified:T type:T path:T
kva_speculative_info windows kva_shadow_enabled:I kva_shadow_user_global:I kva_shadow_pcid:I kva_shadow_inv_pcid:I bp_mitigations:I bp_system_pol_disabled:I bp_microcode_disabled:I cpu_spec_ctrl_supported:I ibrs_support_enabled:I stibp_support_enabled:I cpu_pred_cmd_supported:I
launchd darwin path:T name:T label:T program:T run_at_load:T keep_alive:T on_demand:T disabled:T username:T groupname:T stdout_path:T stderr_path:T start_interval:T program_arguments:T watch_paths:T queue_directories:T inetd_compatibility:T start_on_mount:T root_directory:T working_directory:T process_type:T
launchd_overrides darwin label:T key:T value:T uid:B path:T
location_services darwin enabled:I
logical_drives windows device_id:T type:T description:T free_space:B size:B file_system:T boot_partition:I
logon_sessions windows logon_id:I user:T logon_domain:T authentication_package:T logon_type:T session_id:I logon_sid:T logon_time:B logon_server:T dns_domain_name:T upn:T logon_script:T profile_path:T home_directory:T home_directory_drive:T
managed_policies darwin domain:T uuid:T name:T value:T username:T manual:I
mdfind darwin path:T query:T
mdls darwin path:T key:T value:T valuetype:T~
nfs_shares darwin share:T options:T readonly:I
ntdomains windows name:T client_site_name:T dc_site_name:T dns_forest_name:T domain_controller_address:T domain_controller_name:T domain_name:T status:T
ntfs_acl_permissions windows path:T type:T principal:T access:T inherited_from:T
ntfs_journal_events windows action:T category:T old_path:T path:T record_timestamp:T record_usn:T node_ref_number:T parent_ref_number:T drive_letter:T file_attributes:T partial:B time:B eid:T~
nvram darwin name:T type:T value:T
office_mru windows application:T version:T path:T last_opened_time:B sid:T
package_bom darwin filepath:T uid:I gid:I mode:I size:B modified_time:I path:T
package_install_history darwin package_id:T time:I name:T version:T source:T content_type:T
package_receipts darwin package_id:T package_filename:T~ version:T location:T install_time:D installer_name:T path:T
password_policy darwin uid:B policy_identifier:T policy_content:T policy_description:T
patches windows csname:T hotfix_id:T caption:T description:T fix_comments:T installed_by:T install_date:T installed_on:T
physical_disk_performance windows name:T avg_disk_bytes_per_read:B avg_disk_bytes_per_write:B avg_disk_read_queue_length:B avg_disk_write_queue_length:B avg_disk_sec_per_read:I avg_disk_sec_per_write:I current_disk_queue_length:I percent_disk_read_time:B percent_disk_write_time:B percent_disk_time:B percent_idle_time:B
pipes windows pid:B name:T instances:I max_instances:I flags:T
plist darwin key:T subkey:T value:T path:T
power_sensors darwin key:T category:T name:T value:T
powershell_events windows time:B datetime:T script_block_id:T script_block_count:I script_text:T script_name:T script_path:T cosine_similarity:D
preferences darwin domain:T key:T subkey:T value:T forced:I username:T host:T
prefetch windows path:T filename:T hash:T last_run_time:I other_run_times:T run_count:I size:I volume_serial:T volume_creation:T accessed_files_count:I accessed_directories_count:I accessed_files:T accessed_directories:T
programs windows name:T version:T install_location:T install_source:T language:T publisher:T uninstall_string:T install_date:T identifying_number:T
quicklook_cache darwin path:T rowid:I fs_id:T volume_id:I inode:I mtime:I size:B label:T last_hit_date:I hit_count:T icon_mode:B cache_path:T
registry windows key:T path:T name:T type:T data:T mtime:B
running_apps darwin pid:I bundle_identifier:T is_active:I~
safari_extensions darwin uid:B name:T identifier:T version:T sdk:T update_url:T author:T developer_id:T description:T path:T
sandboxes darwin label:T user:T enabled:I build_id:T bundle_path:T path:T
scheduled_tasks windows name:T action:T path:T enabled:I state:T hidden:I last_run_time:B next_run_time:B last_run_message:T last_run_code:T
screenlock darwin enabled:I grace_period:I
security_profile_info windows minimum_password_age:I maximum_password_age:I minimum_password_length:I password_complexity:I password_history_size:I lockout_bad_count:I logon_to_change_password:I force_logoff_when_expire:I new_administrator_name:T new_guest_name:T clear_text_password:I lsa_anonymous_name_lookup:I enable_admin_account:I enable_guest_account:I audit_system_events:I audit_logon_events:I audit_object_access:I audit_privilege_use:I audit_policy_change:I audit_account_manage:I audit_process_tracking:I audit_ds_access:I audit_account_logon:I
services windows name:T service_type:T display_name:T status:T pid:I start_type:T win32_exit_code:I service_exit_code:I path:T module_path:T description:T user_account:T
shared_folders darwin name:T path:T
shared_resources windows description:T install_date:T status:T allow_maximum:I maximum_allowed:B name:T path:T type:B type_name:T
sharing_preferences darwin screen_sharing:I file_sharing:I printer_sharing:I remote_login:I remote_management:I remote_apple_events:I internet_sharing:I bluetooth_sharing:I disc_sharing:I content_caching:I
shellbags windows sid:T source:T path:T modified_time:B created_time:B accessed_time:B mft_entry:B mft_sequence:I
shimcache windows entry:I path:T modified_time:I execution_flag:I
signature darwin path:T hash_resources:I arch:T signed:I identifier:T cdhash:T team_identifier:T authority:T
sip_config darwin config_flag:T enabled:I enabled_nvram:I
smc_keys darwin key:T type:T size:I value:T hidden:I
system_extensions darwin path:T UUID:T state:T identifier:T version:T category:T bundle_path:T team:T mdm_managed:I
temperature_sensors darwin key:T name:T celsius:D fahrenheit:D
time_machine_backups darwin destination_id:T backup_date:I
time_machine_destinations darwin alias:T destination_id:T consistency_scan_date:I root_volume_uuid:T bytes_available:I bytes_used:I encryption:T
tpm_info windows activated:I enabled:I owned:I manufacturer_version:T manufacturer_id:I manufacturer_name:T product_name:T physical_presence_version:T spec_version:T
unified_log darwin timestamp:B storage:I message:T activity:B process:T pid:B sender:T tid:B category:T subsystem:T level:T max_rows:I~
user_interaction_events darwin time:B
userassist windows path:T last_execution_time:B count:I sid:T
video_info windows color_depth:I driver:T driver_date:B driver_version:T manufacturer:T model:T series:T video_mode:T
virtual_memory_info darwin free:B active:B inactive:B speculative:B throttled:B wired:B purgeable:B faults:B copy:B zero_fill:B reactivated:B purged:B file_backed:B anonymous:B uncompressed:B compressor:B decompressed:B compressed:B page_ins:B page_outs:B swap_ins:B swap_outs:B
wifi_networks darwin ssid:T network_name:T security_type:T last_connected:I~ passpoint:I~ possibly_hidden:I roaming:I~ roaming_profile:T auto_login:I~ temporarily_disabled:I disabled:I~ add_reason:T added_at:I captive_portal:I captive_login_date:I was_captive_network:I auto_join:I personal_hotspot:I
wifi_status darwin interface:T ssid:T bssid:T network_name:T country_code:T security_type:T rssi:I noise:I channel:I channel_width:I channel_band:I transmit_rate:T mode:T
wifi_survey darwin interface:T ssid:T bssid:T network_name:T country_code:T rssi:I noise:I channel:I channel_width:I channel_band:I
winbaseobj windows session_id:I object_name:T object_type:T
windows_crashes windows datetime:T module:T path:T pid:B tid:B version:T process_uptime:B stack_trace:T exception_code:T exception_message:T exception_address:T registers:T command_line:T current_directory:T username:T machine_name:T major_version:I minor_version:I build_number:I type:T crash_path:T
windows_eventlog windows channel:T datetime:T task:I level:I provider_name:T provider_guid:T computer_name:T eventid:I keywords:T data:T pid:I tid:I time_range:T~ timestamp:T~ xpath:T~
windows_events windows time:B datetime:T source:T provider_name:T provider_guid:T computer_name:T eventid:I task:I level:I keywords:T data:T eid:T~
windows_firewall_rules windows name:T app_name:T action:T enabled:I grouping:T direction:T protocol:T local_addresses:T remote_addresses:T local_ports:T remote_ports:T icmp_types_codes:T profile_domain:I profile_private:I profile_public:I service_name:T
windows_optional_features windows name:T caption:T state:I statename:T
windows_security_center windows firewall:T autoupdate:T antivirus:T antispyware:T~ internet_settings:T windows_security_center_service:T user_account_control:T
windows_security_products windows type:T name:T state:T state_timestamp:T remediation_path:T signatures_up_to_date:I
windows_update_history windows client_app_id:T date:B description:T hresult:B operation:T result_code:T server_selection:T service_id:T support_url:T title:T update_id:T update_revision:B
wmi_bios_info windows name:T value:T
wmi_cli_event_consumers windows name:T command_line_template:T executable_path:T class:T relative_path:T
wmi_event_filters windows name:T query:T query_language:T class:T relative_path:T
wmi_filter_consumer_binding windows consumer:T filter:T class:T relative_path:T
wmi_script_event_consumers windows name:T scripting_engine:T script_file_name:T script_text:T class:T relative_path:T
xprotect_entries darwin name:T launch_type:T identity:T filename:T filetype:T optional:I uses_pattern:I
xprotect_meta darwin identifier:T type:T developer_id:T min_version:T
xprotect_reports darwin name:T user_action:T time:T
`;
