/*
 * osquery's extension API, written for Quarry from the facts of osquery's interface (service, struct and field ids
 * as osquery's osquery/extensions/thrift/osquery.thrift, so the official SDKs interoperate on the wire).
 * Binary protocol, buffered transport, over a UNIX domain socket.
 */
namespace cpp osquery.extensions
namespace py osquery.extensions

/// Arguments to a plugin call: the plugin's request, all strings.
typedef map<string, string> ExtensionPluginRequest
/// A plugin's answer: rows of strings (table rows, route info, config sources).
typedef list<map<string, string>> ExtensionPluginResponse

/// One flag: its current value, default and gflags type.
struct InternalOptionInfo {
  1:string value,
  2:string default_value,
  3:string type,
}

/// Every flag by name.
typedef map<string, InternalOptionInfo> InternalOptionList

/// What an extension (or module) tells the manager about itself.
struct InternalExtensionInfo {
  1:string name,
  2:string version,
  3:string sdk_version,
  4:string min_sdk_version,
}

/// The uuid the manager gives a registered extension (its routes' owner).
typedef i64 ExtensionRouteUUID
/// registry name → plugin name → the plugin's route info.
typedef map<string, ExtensionPluginResponse> ExtensionRouteTable
typedef map<string, ExtensionRouteTable> ExtensionRegistry
/// Registered extensions by uuid.
typedef map<ExtensionRouteUUID, InternalExtensionInfo> InternalExtensionList

enum ExtensionCode {
  EXT_SUCCESS = 0,
  EXT_FAILED = 1,
  EXT_FATAL = 2,
}

struct ExtensionStatus {
  1:i32 code,
  2:string message,
  3:ExtensionRouteUUID uuid,
}

struct ExtensionResponse {
  1:ExtensionStatus status,
  2:ExtensionPluginResponse response,
}

exception ExtensionException {
  1:i32 code,
  2:string message,
  3:ExtensionRouteUUID uuid,
}

/// Served by every extension at <extensions_socket>.<uuid>, and by the manager.
service Extension {
  ExtensionStatus ping(),
  ExtensionResponse call(
    1:string registry,
    2:string item,
    3:ExtensionPluginRequest request),
  void shutdown(),
}

/// Served by the manager at --extensions_socket.
service ExtensionManager extends Extension {
  InternalExtensionList extensions(),
  InternalOptionList options(),
  ExtensionStatus registerExtension(
    1:InternalExtensionInfo info,
    2:ExtensionRegistry registry),
  ExtensionStatus deregisterExtension(
    1:ExtensionRouteUUID uuid),
  ExtensionResponse query(
    1:string sql),
  ExtensionResponse getQueryColumns(
    1:string sql),
}
