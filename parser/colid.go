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
func (id ColID) Name() string { return colNames[id] }

// colNames maps every ColID value (every uint8, so that indexing needs no
// bounds check) to its name: auditCols, then knownMetaNames, then "".
var colNames = func() (names [1 << 8]string) {
	n := copy(names[:], auditCols[:])
	copy(names[n:], knownMetaNames[:])
	return names
}()

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

// Col returns the value of the column id and whether it is present: what
// Get(id.Name()) returns. On a record the Audit parser filled it reads the
// column's position, which the parser notes as it adds the column, without
// searching Fields; on other records (other parsers', or built by hand) it
// is Get. The index describes Fields as Parse left them: code that changes
// Fields of a parsed record must call DropIndex (or Reset) before Col. Col
// does not allocate, and is small enough for the compiler to inline.
func (r *Record) Col(id ColID) (v []byte, ok bool) {
	// The bit test also rejects an id of NumColIDs or more: noteCol sets
	// no such bit, and a shift by 64 or more yields 0.
	if i := int(r.colAt[id%idSlots]); r.cols>>id&1 != 0 && i < len(r.Fields) {
		return r.Fields[i].Value, true
	}
	if !r.indexed {
		v, ok = r.Get(id.Name())
	}
	return
}

// ColIDs returns the columns Col finds present, bit id set for the ColID
// id, and true, on a record whose index Col reads (one the Audit parser
// filled); on other records it returns 0 and false, and Col searches
// Fields. It lets a caller ask Col only about the columns present.
func (r *Record) ColIDs() (uint64, bool) {
	if !r.indexed {
		return 0, false
	}
	return r.cols, true
}

// ColAt returns the position in Fields of the column id and true, on a
// record whose index Col reads (ColIDs reports one) and that has the
// column: Fields[i] is then the column Col returns. It returns 0 and false
// when the column is absent, and on records without index (the caller
// searches Fields by id.Name()). It lets a caller that copies Fields in
// order carry the index over to its copy. It does not allocate, and is
// small enough for the compiler to inline.
func (r *Record) ColAt(id ColID) (i int, ok bool) {
	if i = int(r.colAt[id%idSlots]); r.cols>>id&1 != 0 && i < len(r.Fields) {
		return i, true
	}
	return 0, false
}

// DropIndex makes Col search Fields by name and ColIDs report no index,
// for a parsed record whose Fields were changed after Parse; the next
// Parse by the Audit parser indexes the record again.
func (r *Record) DropIndex() { r.cols, r.indexed = 0, false }

// idSlots is the length of Record.colAt: a power of two above every
// ColID, so that Col indexes it without a bounds check.
const idSlots = 64

// maxColAt is the last position Record.colAt holds. A record with more
// columns (a line of tens of thousands of meta.* keys) has no index: Col
// searches it (see endIndex).
const maxColAt = 1<<16 - 1

// index starts the index of a record the Audit parser fills (it has no
// columns yet).
func (r *Record) index() { r.cols, r.indexed = 0, true }

// endIndex ends the index that index started once the record is filled:
// it drops it when a position may have been beyond maxColAt.
func (r *Record) endIndex() {
	if len(r.Fields) > maxColAt+1 {
		r.DropIndex()
	}
}

// noteCol records that Fields[i] is the column id (a no-op for an id of
// NumColIDs or more) on a record with index (the caller checks: other
// parsers' records have none). A position beyond maxColAt is noted
// wrongly: endIndex then drops the index.
func (r *Record) noteCol(id ColID, i int) {
	if id < NumColIDs {
		r.cols |= 1 << id
		r.colAt[id] = uint16(i)
	}
}
