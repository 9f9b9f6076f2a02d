package parser

// ColID identifies a column that Record.Col finds without searching
// Fields: the columns of the Audit parser (in the order of
// Columns(TypeAudit)) and the meta.* columns GitLab writes most.
type ColID uint8

// The column ids. IDSeverity to IDFailedLogin are the Audit parser's
// columns, in output order; IDMetaCallerID to IDMetaRootCallerID are the
// meta.* columns of those names.
const (
	IDSeverity ColID = iota
	IDEventTime
	IDCorrelationID
	IDAuthorID
	IDAuthorName
	IDEntityID
	IDEntityType
	IDIPAddress
	IDAddAction
	IDDelAction
	IDRemoveAction
	IDTargetID
	IDTargetType
	IDTargetDetails
	IDEntityPath
	IDAction
	IDCustomMessage
	IDAuthenticationType
	IDSourceVisibility
	IDTargetVisibility
	IDChangeType
	IDEventName
	IDEventID
	IDImpersonatedBy
	IDAuthorClass
	IDAuthorEmail
	IDCreatedAt
	IDRole
	IDFailedLogin
	IDMetaCallerID        // "meta.caller_id"
	IDMetaRemoteIP        // "meta.remote_ip"
	IDMetaFeatureCategory // "meta.feature_category"
	IDMetaUser            // "meta.user"
	IDMetaUserID          // "meta.user_id"
	IDMetaProject         // "meta.project"
	IDMetaRootNamespace   // "meta.root_namespace"
	IDMetaClientID        // "meta.client_id"
	IDMetaRootCallerID    // "meta.root_caller_id"

	// NumColIDs is the number of ColID values: an array of NumColIDs
	// elements can be indexed by any ColID.
	NumColIDs
)

// idMeta is the ColID of knownMetaNames[0]; knownMetaNames[n] has idMeta+n.
const idMeta = IDMetaCallerID

// Name returns the column name of id ("EventName", "meta.user"), or "" for
// a value that is no ColID.
func (id ColID) Name() string {
	switch {
	case id < idMeta:
		return auditCols[id]
	case id < NumColIDs:
		return knownMetaNames[id-idMeta]
	}
	return ""
}

// ColIDOf returns the ColID of the column called name, and false when the
// column has none.
func ColIDOf(name string) (ColID, bool) {
	for id := range NumColIDs {
		if id.Name() == name {
			return id, true
		}
	}
	return 0, false
}

// metaID returns the ColID of the meta.* column name, or NumColIDs.
func metaID(name string) ColID {
	for n, k := range knownMetaNames {
		if k == name {
			return idMeta + ColID(n)
		}
	}
	return NumColIDs
}

// colIndexed is the bit of Record.cols set while the column index
// describes Fields (a record the Audit parser filled).
const colIndexed = 1 << 63

// Col returns the value of the column id and whether it is present: what
// Get(id.Name()) returns. On a record the Audit parser filled it reads the
// column's position, which the parser notes as it adds the column, without
// searching Fields; on other records (other parsers', or built by hand) it
// is Get. The index describes Fields as Parse left them: code that changes
// Fields of a parsed record must call DropIndex (or Reset) before Col.
func (r *Record) Col(id ColID) ([]byte, bool) {
	if m := colIndexed | uint64(1)<<(id&63); r.cols&m == m && id < NumColIDs {
		if i := int(r.colAt[id]); i < colFar && i < len(r.Fields) {
			return r.Fields[i].Value, true
		}
	}
	return r.colSlow(id)
}

// colSlow is Col for a column that is absent, beyond the positions colAt
// holds, or of a record without index.
func (r *Record) colSlow(id ColID) ([]byte, bool) {
	if r.cols&colIndexed != 0 && id < NumColIDs && r.cols&(1<<id) == 0 {
		return nil, false
	}
	return r.Get(id.Name())
}

// ColIDs returns the columns Col finds present, bit id set for the ColID
// id, and true, on a record whose index Col reads (one the Audit parser
// filled); on other records it returns 0 and false, and Col searches
// Fields. It lets a caller ask Col only about the columns present.
func (r *Record) ColIDs() (uint64, bool) {
	if r.cols&colIndexed == 0 {
		return 0, false
	}
	return r.cols &^ colIndexed, true
}

// DropIndex makes Col search Fields by name and ColIDs report no index,
// for a parsed record whose Fields were changed after Parse; the next
// Parse by the Audit parser indexes the record again.
func (r *Record) DropIndex() { r.cols = 0 }

// colFar in Record.colAt stands for a position colAt cannot hold: Col
// searches for the column.
const colFar = 255

// noteCol records that Fields[i] is the column id (a no-op for an id of
// NumColIDs or more).
func (r *Record) noteCol(id ColID, i int) {
	if id < NumColIDs {
		r.cols |= 1 << id
		r.colAt[id] = uint8(min(i, colFar))
	}
}
