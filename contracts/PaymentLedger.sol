// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {EscrowAccounts} from "./EscrowAccounts.sol";

/// @title PaymentLedger
/// @notice The records the platform settles from the shared escrow of {EscrowAccounts}: finished
/// charging sessions (driver → operator), subscription plans' monthly fees (subscriber → operator),
/// delivered energy trades (buyer → seller, or a co-owned site's owners by share), and refunds of
/// settled sessions (operator → driver, from the operator's own credits). Every record carries a hash of its canonical off-chain form for auditors.
///
/// Replay protection: each kind has its own id space (the platform numbers each kind from its own
/// sequence); a record's settled flag is bit (id % 256) of word (id / 256) of that kind's bitmap, so
/// every id is settled at most once, and 256 consecutive ids share one storage word that a batch
/// reads and writes once.
///
/// Rounding of trades (the same as the platform's clearing): gross = ⌊energyWh × pricePerKwh / 1000⌋,
/// fee = ⌊gross × feeBps / 10,000⌋, seller's part = gross − fee; of a co-owned site's part each owner
/// gets ⌊part × shareBps / 10,000⌋ and the first owner also the remainder (at most one unit per owner).
contract PaymentLedger is EscrowAccounts {
    /// @notice One charging session to pay (or one plan fee: the same terms, in its own id space).
    /// @param recordId The session's settlement record number (settled at most once).
    /// @param payer Whose escrow pays (the driver's wallet).
    /// @param payee Who is credited the amount less the fee (the operator).
    /// @param amount What the payer pays in total, fee included, in base units.
    /// @param recordHash Hash of the canonical off-chain record.
    struct SessionRecord {
        uint256 recordId;
        address payer;
        address payee;
        uint256 amount;
        bytes32 recordHash;
    }

    /// @notice A co-owner's part of a site's proceeds.
    /// @param owner Who is credited.
    /// @param bps Basis points of the seller's part; a site's shares sum to 10,000.
    struct Share {
        address owner;
        uint16 bps;
    }

    /// @notice One delivered energy trade to pay.
    /// @param recordId The trade's settlement record number (settled at most once).
    /// @param buyer Whose escrow pays.
    /// @param seller The selling member's wallet (credited when `shares` is empty).
    /// @param energyWh Delivered energy, Wh.
    /// @param pricePerKwh Clearing price, base units per kWh.
    /// @param feeBps The community's fee, basis points of the gross (at most MAX_FEE_BPS).
    /// @param recordHash Hash of the canonical off-chain record.
    /// @param shares A co-owned site's owners and their shares; empty for a single owner.
    struct TradeRecord {
        uint256 recordId;
        address buyer;
        address seller;
        uint64 energyWh;
        uint64 pricePerKwh;
        uint16 feeBps;
        bytes32 recordHash;
        Share[] shares;
    }

    mapping(uint256 word => uint256) private _settledSessions;
    mapping(uint256 word => uint256) private _settledTrades;
    mapping(uint256 word => uint256) private _settledPlanFees;
    mapping(uint256 word => uint256) private _refunds;
    /// @dev Merkle root of a community interval's meter readings, by keccak256(communityId, intervalStart).
    mapping(bytes32 interval => bytes32 root) private _readingRoots;

    /// @notice A session was paid.
    /// @param recordId The session's record number.
    /// @param payer Who paid (the driver's wallet).
    /// @param payee Who was credited (the operator's wallet).
    /// @param amount Base units taken from the payer's escrow.
    /// @param fee The part of `amount` credited to the fee recipient.
    /// @param recordHash Hash of the canonical off-chain record.
    event SessionSettled(
        uint256 indexed recordId, address indexed payer, address indexed payee, uint256 amount, uint256 fee, bytes32 recordHash
    );
    /// @notice A subscription plan's fee for one period was paid.
    /// @param recordId The plan fee's record number.
    /// @param payer Who paid (the subscriber's wallet).
    /// @param payee Who was credited (the plan's operator's wallet).
    /// @param amount Base units taken from the payer's escrow.
    /// @param fee The part of `amount` credited to the fee recipient.
    /// @param recordHash Hash of the canonical off-chain record.
    event PlanFeeSettled(
        uint256 indexed recordId, address indexed payer, address indexed payee, uint256 amount, uint256 fee, bytes32 recordHash
    );
    /// @notice A trade was paid.
    /// @param recordId The trade's record number.
    /// @param seller The selling member's wallet.
    /// @param buyer Who paid.
    /// @param energyWh Delivered energy paid for, Wh.
    /// @param pricePerKwh Clearing price, base units per kWh.
    /// @param amount Base units taken from the buyer's escrow (the gross).
    /// @param fee The part of `amount` credited to the fee recipient.
    /// @param recordHash Hash of the canonical off-chain record.
    event TradeSettled(
        uint256 indexed recordId,
        address indexed seller,
        address indexed buyer,
        uint256 energyWh,
        uint256 pricePerKwh,
        uint256 amount,
        uint256 fee,
        bytes32 recordHash
    );
    /// @notice A co-owner of a trade's site was credited its share.
    /// @param recordId The trade's record number.
    /// @param owner The co-owner.
    /// @param amount Base units credited.
    event ProceedsShared(uint256 indexed recordId, address indexed owner, uint256 amount);
    /// @notice An operator refunded (part of) a settled session from its own credits.
    /// @param recordId The refund's record number.
    /// @param sessionRecordId The refunded session's record number.
    /// @param operator Whose credits paid the refund.
    /// @param payer Whose escrow received it.
    /// @param amount Base units refunded.
    /// @param recordHash Hash of the refund's canonical off-chain record.
    event SessionRefunded(
        uint256 indexed recordId,
        uint256 indexed sessionRecordId,
        address indexed operator,
        address payer,
        uint256 amount,
        bytes32 recordHash
    );
    /// @notice A batch skipped a record (1 already settled, 2 over the record limit, 3 over the daily
    /// limit, 4 insufficient escrow, 5 invalid).
    /// @param recordId The record skipped.
    /// @param reason Why (the numbers above).
    event SettlementSkipped(uint256 indexed recordId, uint8 reason);
    /// @notice A batch was processed: `settled` records paid, `skipped` records skipped.
    /// @param settled Records paid.
    /// @param skipped Records skipped.
    event BatchSettled(uint256 settled, uint256 skipped);

    /// @notice A community interval's meter readings were anchored: the root of the standard Merkle tree
    /// (OpenZeppelin's StandardMerkleTree) of its leaves (meter, intervalStart, importWh, exportWh).
    /// @param communityId The community (its UUID, right-aligned).
    /// @param intervalStart The interval's start, Unix seconds.
    /// @param root The tree's root.
    /// @param leafCount How many meter readings the tree holds.
    event ReadingsAnchored(bytes32 indexed communityId, uint64 indexed intervalStart, bytes32 root, uint32 leafCount);

    /// @notice A zero root anchors nothing.
    error PaymentLedgerEmptyRoot();
    /// @notice The interval's readings were anchored before with another root.
    error PaymentLedgerReadingsAnchored(bytes32 communityId, uint64 intervalStart, bytes32 root);

    /// @notice The refund's record id was used before.
    error PaymentLedgerRefundRecorded(uint256 recordId);
    /// @notice The session to refund was never settled.
    error PaymentLedgerSessionNotSettled(uint256 sessionRecordId);
    /// @notice `areSettled` was asked about a record kind that does not exist (0–3 do).
    error PaymentLedgerUnknownKind(uint8 kind);

    /// @notice Deploys the ledger over `token_`.
    /// @param token_ The stablecoin (at most MAX_TOKEN_DECIMALS decimals).
    /// @param adminDelay Delay of a transfer of the admin role.
    /// @param admin Holds the admin and pauser roles at first (meant for a multisig).
    /// @param settler The first settler, active at once; zero for none.
    constructor(IERC20Metadata token_, uint48 adminDelay, address admin, address settler)
        EscrowAccounts(token_, adminDelay, admin, settler)
    {}

    /// @notice Pays charging sessions. A record that was paid before, or cannot be paid, is skipped
    /// with SettlementSkipped so that one bad record never blocks the others.
    /// @param batch Records to pay.
    /// @return settled How many were paid.
    function settleSessions(SessionRecord[] calldata batch) external onlySettler whenNotPaused returns (uint256 settled) {
        return _settlePayments(batch, _settledSessions, false);
    }

    /// @notice Pays subscription plans' monthly fees: payer → payee like a session, under the same
    /// limits and platform fee, numbered in an id space of their own (event PlanFeeSettled). A record
    /// that was paid before, or cannot be paid, is skipped with SettlementSkipped.
    /// @param batch Records to pay.
    /// @return settled How many were paid.
    function settlePlanFees(SessionRecord[] calldata batch) external onlySettler whenNotPaused returns (uint256 settled) {
        return _settlePayments(batch, _settledPlanFees, true);
    }

    // One loop with its checks inline: a helper per record would cost gas in every record.
    // solhint-disable function-max-lines
    /// Pays payer → payee records (sessions, or plan fees) against the kind's bitmap.
    function _settlePayments(
        SessionRecord[] calldata batch,
        mapping(uint256 => uint256) storage bitmap,
        bool planFees
    ) private returns (uint256 settled) {
        uint16 today = _today();
        uint16 feeBps = _feeBps;
        uint256 totalFee;
        // No word index reaches type(uint256).max (indices are recordId >> 8 < 2^248): a safe "none yet".
        uint256 cachedWord = type(uint256).max;
        uint256 cachedBits;
        for (uint256 i; i < batch.length; ++i) {
            SessionRecord calldata s = batch[i];
            uint256 word = s.recordId >> 8;
            uint256 bit = uint256(1) << (s.recordId & 0xff);
            // Consecutive record ids share a bitmap word: read and write it once per run.
            if (word != cachedWord) {
                if (cachedWord != type(uint256).max) bitmap[cachedWord] = cachedBits;
                cachedWord = word;
                cachedBits = bitmap[word];
            }
            uint8 skip = cachedBits & bit != 0 ? SKIPPED_ALREADY_SETTLED : 0;
            if (skip == 0 && (s.amount == 0 || s.payer == address(0) || s.payee == address(0))) skip = SKIPPED_INVALID;
            uint256 account;
            if (skip == 0) (account, skip) = _debit(_loadPacked(s.payer, today), s.amount);
            if (skip != 0) {
                emit SettlementSkipped(s.recordId, skip);
                continue;
            }
            uint256 feeAmount = (s.amount * feeBps) / 10_000;
            cachedBits |= bit;
            _accounts[s.payer] = account;
            _credits[s.payee] += s.amount - feeAmount;
            // Cannot overflow: fees are parts of amounts below 2^48 each, and settled counts the batch.
            unchecked {
                totalFee += feeAmount;
                ++settled;
            }
            if (planFees) emit PlanFeeSettled(s.recordId, s.payer, s.payee, s.amount, feeAmount, s.recordHash);
            else emit SessionSettled(s.recordId, s.payer, s.payee, s.amount, feeAmount, s.recordHash);
        }
        if (cachedWord != type(uint256).max) bitmap[cachedWord] = cachedBits;
        if (totalFee != 0) _credits[_feeRecipient] += totalFee;
        // Cannot underflow: settled counts a subset of the batch.
        unchecked {
            emit BatchSettled(settled, batch.length - settled);
        }
    }

    /// @notice Pays delivered energy trades from the buyers' escrow to the sellers (or a co-owned
    /// site's owners by share) and the fee recipient, with the rounding in the contract's notice.
    /// A record that was paid before, or cannot be paid, is skipped with SettlementSkipped.
    /// @param batch Records to pay.
    /// @return settled How many were paid.
    function settleTrades(TradeRecord[] calldata batch) external onlySettler whenNotPaused returns (uint256 settled) {
        uint16 today = _today();
        address feeRecipient = _feeRecipient;
        uint256 totalFee;
        uint256 cachedWord = type(uint256).max;
        uint256 cachedBits;
        for (uint256 i; i < batch.length; ++i) {
            TradeRecord calldata t = batch[i];
            uint256 word = t.recordId >> 8;
            uint256 bit = uint256(1) << (t.recordId & 0xff);
            if (word != cachedWord) {
                if (cachedWord != type(uint256).max) _settledTrades[cachedWord] = cachedBits;
                cachedWord = word;
                cachedBits = _settledTrades[word];
            }
            // Cannot overflow: 64-bit × 64-bit and 256-bit × 16-bit products.
            uint256 gross;
            uint256 feeAmount;
            unchecked {
                gross = (uint256(t.energyWh) * t.pricePerKwh) / 1000;
                feeAmount = (gross * t.feeBps) / 10_000;
            }
            uint8 skip = cachedBits & bit != 0 ? SKIPPED_ALREADY_SETTLED : 0;
            if (skip == 0 && !_validTrade(t, gross, feeAmount, feeRecipient)) skip = SKIPPED_INVALID;
            uint256 account;
            if (skip == 0) (account, skip) = _debit(_loadPacked(t.buyer, today), gross);
            if (skip != 0) {
                emit SettlementSkipped(t.recordId, skip);
                continue;
            }
            cachedBits |= bit;
            _accounts[t.buyer] = account;
            _creditSeller(t, gross - feeAmount);
            // Cannot overflow: fees are parts of amounts below 2^48 each, and settled counts the batch.
            unchecked {
                totalFee += feeAmount;
                ++settled;
            }
            emit TradeSettled(t.recordId, t.seller, t.buyer, t.energyWh, t.pricePerKwh, gross, feeAmount, t.recordHash);
        }
        if (cachedWord != type(uint256).max) _settledTrades[cachedWord] = cachedBits;
        if (totalFee != 0) _credits[feeRecipient] += totalFee;
        // Cannot underflow: settled counts a subset of the batch.
        unchecked {
            emit BatchSettled(settled, batch.length - settled);
        }
    }
    // solhint-enable function-max-lines

    /// @notice Refunds (part of) a settled session to its payer from the caller's own credits (the
    /// operator who was paid). The refund is a record of its own, recorded at most once.
    /// @dev The contract checks that the session was settled and that the caller has the credits; that
    /// the caller was the session's payee, the payer its payer and the amount at most what was paid is
    /// in the refund's record, which the audit checks against the session's.
    /// @param recordId The refund's record number.
    /// @param sessionRecordId The session's record number.
    /// @param payer The session's payer, whose escrow receives the refund.
    /// @param amount Base units.
    /// @param recordHash Hash of the refund's canonical off-chain record.
    function refundSession(uint256 recordId, uint256 sessionRecordId, address payer, uint256 amount, bytes32 recordHash)
        external
        whenNotPaused
    {
        if (!_isSet(_settledSessions, sessionRecordId)) revert PaymentLedgerSessionNotSettled(sessionRecordId);
        if (_isSet(_refunds, recordId)) revert PaymentLedgerRefundRecorded(recordId);
        if (payer == address(0)) revert EscrowAccountsInvalidRecipient(payer);
        uint256 credits = _credits[msg.sender];
        if (amount == 0 || amount > credits) revert EscrowAccountsInsufficientFunds(msg.sender, credits, amount);
        Account memory a = _load(payer, _today());
        if (uint256(a.escrow) + amount > type(uint88).max) revert EscrowAccountsInvalidAmount(amount);
        _refunds[recordId >> 8] |= uint256(1) << (recordId & 0xff);
        // Cannot underflow: amount <= credits; cannot overflow: checked against 2^88 above.
        unchecked {
            _credits[msg.sender] = credits - amount;
            a.escrow += uint88(amount);
        }
        _accounts[payer] = _pack(a);
        emit SessionRefunded(recordId, sessionRecordId, msg.sender, payer, amount, recordHash);
    }

    /// @notice Anchors the Merkle root of a community interval's meter readings, before (or with) the
    /// interval's trade settlement, so that anyone can prove a reading against the chain. Anchoring the
    /// same root again does nothing (a retried job); another root for an anchored interval reverts.
    /// @dev Moves no funds: a stolen settler key can anchor false roots (the audit then reports every
    /// interval whose readings do not match), not take anything.
    /// @param communityId The community (its UUID, right-aligned).
    /// @param intervalStart The interval's start, Unix seconds.
    /// @param root The root of the interval's readings tree.
    /// @param leafCount How many readings the tree holds.
    function anchorReadings(bytes32 communityId, uint64 intervalStart, bytes32 root, uint32 leafCount)
        external
        onlySettler
        whenNotPaused
    {
        if (root == bytes32(0)) revert PaymentLedgerEmptyRoot();
        bytes32 key = keccak256(abi.encode(communityId, intervalStart));
        bytes32 stored = _readingRoots[key];
        if (stored == root) return;
        if (stored != bytes32(0)) revert PaymentLedgerReadingsAnchored(communityId, intervalStart, stored);
        _readingRoots[key] = root;
        emit ReadingsAnchored(communityId, intervalStart, root, leafCount);
    }

    // ------------------------------------------------------------------ views

    /// @notice The anchored root of a community interval's meter readings (zero: not anchored).
    /// @param communityId The community (its UUID, right-aligned).
    /// @param intervalStart The interval's start, Unix seconds.
    /// @return The root.
    function readingsRootOf(bytes32 communityId, uint64 intervalStart) external view returns (bytes32) {
        return _readingRoots[keccak256(abi.encode(communityId, intervalStart))];
    }

    /// @notice Whether a session record was settled (the settler asks before resending after a crash).
    /// @param recordId The session's record number.
    /// @return Whether it was settled.
    function isSessionSettled(uint256 recordId) external view returns (bool) {
        return _isSet(_settledSessions, recordId);
    }

    /// @notice Whether a plan fee record was settled.
    /// @param recordId The plan fee's record number.
    /// @return Whether it was settled.
    function isPlanFeeSettled(uint256 recordId) external view returns (bool) {
        return _isSet(_settledPlanFees, recordId);
    }

    /// @notice Whether a trade record was settled.
    /// @param recordId The trade's record number.
    /// @return Whether it was settled.
    function isTradeSettled(uint256 recordId) external view returns (bool) {
        return _isSet(_settledTrades, recordId);
    }

    /// @notice Whether a refund record was recorded.
    /// @param recordId The refund's record number.
    /// @return Whether it was recorded.
    function isRefunded(uint256 recordId) external view returns (bool) {
        return _isSet(_refunds, recordId);
    }

    /// @notice Which of many records of one kind were settled, in one call (the settler asks before a batch).
    /// @param kind 0 charging sessions, 1 energy trades, 2 refunds, 3 plan fees.
    /// @param recordIds The records.
    /// @return settled Whether each was settled (recorded, for refunds).
    function areSettled(uint8 kind, uint256[] calldata recordIds) external view returns (bool[] memory settled) {
        if (kind > 3) revert PaymentLedgerUnknownKind(kind);
        mapping(uint256 => uint256) storage bitmap =
            kind == 0 ? _settledSessions : kind == 1 ? _settledTrades : kind == 2 ? _refunds : _settledPlanFees;
        settled = new bool[](recordIds.length);
        for (uint256 i; i < recordIds.length; ++i) {
            settled[i] = _isSet(bitmap, recordIds[i]);
        }
    }

    // ------------------------------------------------------------------ internals

    function _isSet(mapping(uint256 => uint256) storage bitmap, uint256 id) private view returns (bool) {
        return bitmap[id >> 8] & (uint256(1) << (id & 0xff)) != 0;
    }

    function _validTrade(TradeRecord calldata t, uint256 gross, uint256 feeAmount, address feeRecipient)
        private
        pure
        returns (bool)
    {
        if (gross == 0 || t.buyer == address(0) || t.seller == address(0) || t.feeBps > MAX_FEE_BPS) return false;
        if (feeAmount != 0 && feeRecipient == address(0)) return false;
        uint256 n = t.shares.length;
        if (n == 0) return true;
        uint256 total;
        for (uint256 j; j < n; ++j) {
            if (t.shares[j].owner == address(0)) return false;
            total += t.shares[j].bps;
        }
        return total == 10_000;
    }

    /// Credits the seller's part to the seller, or to a co-owned site's owners by share (the first
    /// owner also takes the remainder of the rounding).
    function _creditSeller(TradeRecord calldata t, uint256 part) private {
        uint256 n = t.shares.length;
        if (n == 0) {
            _credits[t.seller] += part;
            return;
        }
        uint256 rest = part;
        for (uint256 j = 1; j < n; ++j) {
            Share calldata sh = t.shares[j];
            uint256 x = (part * sh.bps) / 10_000;
            rest -= x;
            _credits[sh.owner] += x;
            emit ProceedsShared(t.recordId, sh.owner, x);
        }
        _credits[t.shares[0].owner] += rest;
        emit ProceedsShared(t.recordId, t.shares[0].owner, rest);
    }
}
