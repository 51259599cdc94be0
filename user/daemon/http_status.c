// SPDX-License-Identifier: GPL-2.0
/*
 * The HTTP Status-Code of each oneM2M Response Status Code: TS-0009
 * V3.9.1, Table 6.3.2-1 "Status Code Mapping" (clause 6.3.2; 6.4.1 in
 * the releases before it was renumbered).  An RSC the table does not
 * name has no status: esprimd_http_respond() refuses it.
 */
#include <stdlib.h>

#include "http_internal.h"

struct rsc_status {
	unsigned short rsc;
	unsigned short status;
};

/* Sorted by RSC, for bsearch(). */
static const struct rsc_status rsc_map[] = {
	{ 1000, 202 },	/* ACCEPTED */
	{ 1001, 202 },	/* ACCEPTED for nonBlockingRequestSynch */
	{ 1002, 202 },	/* ACCEPTED for nonBlockingRequestAsynch */
	{ 2000, 200 },	/* OK */
	{ 2001, 201 },	/* CREATED */
	{ 2002, 200 },	/* DELETED */
	{ 2004, 200 },	/* UPDATED */
	{ 4000, 400 },	/* BAD_REQUEST */
	{ 4001, 501 },	/* RELEASE_VERSION_NOT_SUPPORTED */
	{ 4004, 404 },	/* NOT_FOUND */
	{ 4005, 405 },	/* OPERATION_NOT_ALLOWED */
	{ 4008, 504 },	/* REQUEST_TIMEOUT */
	{ 4015, 415 },	/* UNSUPPORTED_MEDIA_TYPE */
	{ 4101, 403 },	/* SUBSCRIPTION_CREATOR_HAS_NO_PRIVILEGE */
	{ 4102, 400 },	/* CONTENTS_UNACCEPTABLE */
	{ 4103, 403 },	/* ORIGINATOR_HAS_NO_PRIVILEGE */
	{ 4104, 409 },	/* GROUP_REQUEST_IDENTIFIER_EXISTS */
	{ 4105, 409 },	/* CONFLICT */
	{ 4106, 403 },	/* ORIGINATOR_NOT_AUTHENTICATED */
	{ 4107, 403 },	/* SECURITY_ASSOCIATION_REQUIRED */
	{ 4108, 403 },	/* INVALID_CHILD_RESOURCE_TYPE */
	{ 4109, 403 },	/* NO_MEMBERS */
	{ 4110, 400 },	/* GROUP_MEMBER_TYPE_INCONSISTENT */
	{ 4111, 403 },	/* ESPRIM_UNSUPPORTED_OPTION */
	{ 4112, 403 },	/* ESPRIM_UNKNOWN_KEY_ID */
	{ 4113, 403 },	/* ESPRIM_UNKNOWN_ORIG_RAND_ID */
	{ 4114, 403 },	/* ESPRIM_UNKNOWN_RECV_RAND_ID */
	{ 4115, 403 },	/* ESPRIM_BAD_MAC */
	{ 4116, 403 },	/* ESPRIM_IMPERSONATION_ERROR */
	{ 4117, 403 },	/* ORIGINATOR_HAS_ALREADY_REGISTERED */
	{ 4118, 404 },	/* ONTOLOGY_NOT_AVAILABLE */
	{ 4119, 404 },	/* LINKED_SEMANTICS_NOT_AVAILABLE */
	{ 4120, 400 },	/* INVALID_SEMANTICS */
	{ 4121, 404 },	/* MASHUP_MEMBER_NOT_FOUND */
	{ 4122, 400 },	/* INVALID_TRIGGER_PURPOSE */
	{ 4123, 400 },	/* ILLEGAL_TRANSACTION_STATE_TRANSITION_... */
	{ 4124, 409 },	/* BLOCKING_SUBSCRIPTION_ALREADY_EXISTS */
	{ 4125, 501 },	/* SPECIALIZATION_SCHEMA_NOT_FOUND */
	{ 4126, 403 },	/* APP_RULE_VALIDATION_FAILED */
	{ 4127, 403 },	/* OPERATION_DENIED_BY_REMOTE_ENTITY */
	{ 4143, 400 },	/* INVALID_SPARQL_QUERY */
	{ 5000, 500 },	/* INTERNAL_SERVER_ERROR */
	{ 5001, 501 },	/* NOT_IMPLEMENTED */
	{ 5103, 404 },	/* TARGET_NOT_REACHABLE */
	{ 5105, 403 },	/* RECEIVER_HAS_NO_PRIVILEGE */
	{ 5106, 409 },	/* ALREADY_EXISTS */
	{ 5107, 404 },	/* REMOTE_ENTITY_NOT_REACHABLE */
	{ 5203, 403 },	/* TARGET_NOT_SUBSCRIBABLE */
	{ 5204, 500 },	/* SUBSCRIPTION_VERIFICATION_INITIATION_FAILED */
	{ 5205, 403 },	/* SUBSCRIPTION_HOST_HAS_NO_PRIVILEGE */
	{ 5206, 501 },	/* NON_BLOCKING_SYNCH_REQUEST_NOT_SUPPORTED */
	{ 5207, 406 },	/* NOT_ACCEPTABLE */
	{ 5208, 403 },	/* DISCOVERY_DENIED_BY_IPE */
	{ 5209, 500 },	/* GROUP_MEMBERS_NOT_RESPONDED */
	{ 5210, 500 },	/* ESPRIM_DECRYPTION_ERROR */
	{ 5211, 500 },	/* ESPRIM_ENCRYPTION_ERROR */
	{ 5212, 500 },	/* SPARQL_UPDATE_ERROR */
	{ 5214, 403 },	/* TARGET_HAS_NO_SESSION_CAPABILITY */
	{ 5215, 403 },	/* SESSION_IS_ONLINE */
	{ 5216, 500 },	/* JOIN_MULTICAST_GROUP_FAILED */
	{ 5217, 500 },	/* LEAVE_MULTICAST_GROUP_FAILED */
	{ 5218, 403 },	/* TRIGGERING_DISABLED_FOR_RECIPIENT */
	{ 5219, 409 },	/* UNABLE_TO_REPLACE_REQUEST */
	{ 5220, 409 },	/* UNABLE_TO_RECALL_REQUEST */
	{ 5221, 500 },	/* CROSS_RESOURCE_OPERATION_FAILURE */
	{ 5222, 403 },	/* TRANSACTION_PROCESSING_IS_INCOMPLETE */
	{ 6003, 404 },	/* EXTERNAL_OBJECT_NOT_REACHABLE */
	{ 6005, 404 },	/* EXTERNAL_OBJECT_NOT_FOUND */
	{ 6010, 400 },	/* MAX_NUMBER_OF_MEMBER_EXCEEDED */
	{ 6020, 500 },	/* MGMT_SESSION_CANNOT_BE_ESTABLISHED */
	{ 6021, 500 },	/* MGMT_SESSION_ESTABLISHMENT_TIMEOUT */
	{ 6022, 400 },	/* INVALID_CMDTYPE */
	{ 6023, 400 },	/* INVALID_ARGUMENTS */
	{ 6024, 400 },	/* INSUFFICIENT_ARGUMENTS */
	{ 6025, 500 },	/* MGMT_CONVERSION_ERROR */
	{ 6026, 500 },	/* MGMT_CANCELLATION_FAILED */
	{ 6028, 409 },	/* ALREADY_COMPLETE */
	{ 6029, 409 },	/* MGMT_COMMAND_NOT_CANCELLABLE */
	{ 6030, 504 },	/* EXTERNAL_OBJECT_NOT_REACHABLE_BEFORE_RQET... */
	{ 6031, 504 },	/* EXTERNAL_OBJECT_NOT_REACHABLE_BEFORE_OET... */
};

static int rsc_cmp(const void *key, const void *elem)
{
	int rsc = *(const int *)key;
	const struct rsc_status *e = elem;

	return (rsc > e->rsc) - (rsc < e->rsc);
}

unsigned int esprimd_http_status(int rsc)
{
	const struct rsc_status *e;

	e = bsearch(&rsc, rsc_map, sizeof(rsc_map) / sizeof(rsc_map[0]),
		    sizeof(rsc_map[0]), rsc_cmp);
	return e ? e->status : 0;
}

bool http_rsc_known(int rsc)
{
	return esprimd_http_status(rsc) != 0;
}
