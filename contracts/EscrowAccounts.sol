// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @title EscrowAccounts
/// @notice One stablecoin escrow per wallet, from which every kind of record the platform settles is
/// paid (charging sessions, energy trades), with spending limits the wallet sets itself, and credits
/// that payees withdraw (pull payments).
///
/// Limits. A payer sets a maximum per record and a maximum per UTC day (`setLimits`). The settler can
/// take nothing beyond them, nor beyond the escrow. Raising a limit takes effect at once; lowering one
/// takes effect LIMIT_DELAY later, so that charging already done under the old limits stays payable.
/// Committed escrow is min(escrow, daily limit in force): the rest can be withdrawn at any time, the
/// whole once lowered limits of zero are in force.
///
/// Trust model (the README states the numbers):
/// - Admin (DEFAULT_ADMIN_ROLE, meant for a multisig): AccessControlDefaultAdminRules, so handing it
///   over is two steps with a delay. It grants and revokes roles and sets the fee (at most MAX_FEE_BPS).
///   A settler it grants is active only SETTLER_DELAY later, which is longer than LIMIT_DELAY: every
///   payer who sees `SettlerScheduled` can lower its limits to zero, and have them in force, before the
///   new settler can act. No function moves a payer's escrow other than to a payee within the payer's
///   limits (settler) or back to the payer (withdraw).
/// - Settler: pays records within each payer's limits, each record once. A stolen settler key takes
///   from a payer at most the daily limit per UTC day, in records of at most the record limit, never
///   more than the escrow. Revoking the role or pausing stops it at once.
/// - Pauser: stops deposits, settlements and credit withdrawals (so credits an attacker booked stay
///   frozen). Payers can still set limits and withdraw their free escrow while paused.
///
/// The token must be a plain ERC-20 (no fee on transfer, no rebasing) of at most MAX_TOKEN_DECIMALS
/// decimals: limits are stored in 48 bits (2.8 × 10^14 base units, 281 million units of a 6-decimal
/// token) and escrows in 88 bits.
abstract contract EscrowAccounts is AccessControlDefaultAdminRules, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice May settle records (active SETTLER_DELAY after the grant).
    bytes32 public constant SETTLER_ROLE = keccak256("SETTLER_ROLE");
    /// @notice May pause and unpause.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice The platform fee can never exceed 10 %.
    uint16 public constant MAX_FEE_BPS = 1000;
    /// @notice Delay before lowered limits take effect.
    uint32 public constant LIMIT_DELAY = 1 days;
    /// @notice Delay before a newly granted settler may settle; longer than LIMIT_DELAY.
    uint32 public constant SETTLER_DELAY = 2 days;
    /// @notice The most decimals a token may have (limits are 48-bit numbers of base units).
    uint8 public constant MAX_TOKEN_DECIMALS = 6;

    /// A payer's escrow, limits in force and what was settled from it on its current UTC day. Stored
    /// packed in one word (`_accounts`), so that a settlement reads and writes one slot: bits 0–87
    /// escrow, 88–135 record limit, 136–183 daily limit, 184–231 settled today, 232–247 the day
    /// (days since 1970), bit 248 a lowering pending.
    struct Account {
        uint88 escrow;
        uint48 recordLimit;
        uint48 dayLimit;
        uint48 spentToday;
        uint16 day;
        bool pending;
    }

    /// Lowered limits waiting for their time; `Account.pending` says one exists.
    struct PendingLimits {
        uint48 recordLimit;
        uint48 dayLimit;
        uint64 from;
    }

    /// Why a settlement skipped a record (the `reason` of SettlementSkipped).
    uint8 internal constant SKIPPED_ALREADY_SETTLED = 1;
    uint8 internal constant SKIPPED_OVER_RECORD_LIMIT = 2;
    uint8 internal constant SKIPPED_OVER_DAY_LIMIT = 3;
    uint8 internal constant SKIPPED_INSUFFICIENT_ESCROW = 4;
    uint8 internal constant SKIPPED_INVALID = 5;

    uint256 private constant _RECORD_LIMIT_SHIFT = 88;
    uint256 private constant _DAY_LIMIT_SHIFT = 136;
    uint256 private constant _SPENT_SHIFT = 184;
    uint256 private constant _DAY_SHIFT = 232;
    uint256 private constant _PENDING_SHIFT = 248;

    IERC20 internal immutable _token;
    mapping(address payer => uint256 packed) internal _accounts;
    mapping(address payer => PendingLimits) internal _pendingLimits;
    mapping(address account => uint256) internal _credits;
    mapping(address settler => uint256) internal _settlerFrom;
    address internal _feeRecipient;
    uint16 internal _feeBps;

    /// @notice A payer added funds to escrow.
    /// @param payer Whose escrow.
    /// @param amount Base units added.
    event Deposited(address indexed payer, uint256 amount);
    /// @notice A payer took free funds out of escrow.
    /// @param payer Whose escrow.
    /// @param to Who received the tokens.
    /// @param amount Base units taken out.
    event Withdrawn(address indexed payer, address indexed to, uint256 amount);
    /// @notice A payer's limits changed (or will, at `effectiveAt`).
    /// @param payer Whose limits.
    /// @param recordLimit Most per record, base units.
    /// @param dayLimit Most per UTC day, base units.
    /// @param effectiveAt When they take effect (now for raises, LIMIT_DELAY later for a lowering).
    event LimitsChanged(address indexed payer, uint256 recordLimit, uint256 dayLimit, uint256 effectiveAt);
    /// @notice A payee or the fee recipient withdrew credits.
    /// @param account Whose credits.
    /// @param to Who received the tokens.
    /// @param amount Base units withdrawn.
    event CreditsWithdrawn(address indexed account, address indexed to, uint256 amount);
    /// @notice The platform fee changed.
    /// @param recipient Who is credited the fee.
    /// @param feeBps The fee on charging sessions, basis points of each settled amount.
    event FeeChanged(address indexed recipient, uint16 feeBps);
    /// @notice A settler was granted the role; it may settle from `activeFrom`.
    /// @param settler The account.
    /// @param activeFrom Unix time from which it may settle.
    event SettlerScheduled(address indexed settler, uint256 activeFrom);

    /// @notice The amount exceeds what may be withdrawn.
    error EscrowAccountsInsufficientFunds(address account, uint256 available, uint256 amount);
    /// @notice Zero amounts, and values too large for the accounts, are refused.
    error EscrowAccountsInvalidAmount(uint256 amount);
    /// @notice Fee above MAX_FEE_BPS, or a fee without a recipient.
    error EscrowAccountsInvalidFee(uint16 feeBps);
    /// @notice The caller is not a settler, or not yet an active one.
    error EscrowAccountsSettlerNotActive(address account, uint256 activeFrom);
    /// @notice The token has more decimals than the limits can hold.
    error EscrowAccountsUnsupportedToken(uint8 decimals);
    /// @notice Tokens cannot be sent to the zero address.
    error EscrowAccountsInvalidRecipient(address to);

    /// @notice Deploys the escrow over `token_`.
    /// @param token_ The stablecoin (at most MAX_TOKEN_DECIMALS decimals).
    /// @param adminDelay Delay of a transfer of the admin role (AccessControlDefaultAdminRules).
    /// @param admin Holds the admin and pauser roles at first (meant for a multisig).
    /// @param settler The first settler, active at once (nobody has escrow yet); zero for none.
    constructor(IERC20Metadata token_, uint48 adminDelay, address admin, address settler)
        AccessControlDefaultAdminRules(adminDelay, admin)
    {
        uint8 decimals = token_.decimals();
        if (decimals > MAX_TOKEN_DECIMALS) revert EscrowAccountsUnsupportedToken(decimals);
        _token = token_;
        _grantRole(PAUSER_ROLE, admin);
        if (settler != address(0)) {
            _grantRole(SETTLER_ROLE, settler);
            _settlerFrom[settler] = block.timestamp;
            emit SettlerScheduled(settler, block.timestamp);
        }
    }

    /// Only an active settler.
    modifier onlySettler() {
        _checkSettler();
        _;
    }

    // ------------------------------------------------------------------ payers

    /// @notice Moves `amount` of the caller's tokens into escrow (needs an ERC-20 approval).
    /// @param amount Base units.
    function deposit(uint256 amount) external nonReentrant whenNotPaused {
        _deposit(amount);
    }

    /// @notice Like deposit, with an ERC-2612 permit instead of a prior approval.
    /// @dev A permit that fails (for example because someone submitted it first) is ignored; the
    /// transfer then needs the allowance to be in place.
    /// @param amount Base units.
    /// @param deadline Permit deadline.
    /// @param v Signature v.
    /// @param r Signature r.
    /// @param s Signature s.
    function depositWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        nonReentrant
        whenNotPaused
    {
        // A permit someone else submitted first (front-running) makes ours revert; the allowance is
        // there all the same, and `_deposit` fails if it is not.
        // solhint-disable-next-line no-empty-blocks
        try IERC20Permit(address(_token)).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        _deposit(amount);
    }

    /// @notice Sets the most the settler may take from the caller's escrow per record and per UTC day.
    /// @dev Raises take effect now; a lower value takes effect LIMIT_DELAY later (until then the
    /// higher of old and new is in force). Works while paused.
    /// @param recordLimit Most per record, base units.
    /// @param dayLimit Most per UTC day, base units.
    function setLimits(uint256 recordLimit, uint256 dayLimit) external {
        if (recordLimit > type(uint48).max) revert EscrowAccountsInvalidAmount(recordLimit);
        if (dayLimit > type(uint48).max) revert EscrowAccountsInvalidAmount(dayLimit);
        Account memory a = _load(msg.sender, _today());
        uint256 effectiveAt = block.timestamp;
        if (recordLimit < a.recordLimit || dayLimit < a.dayLimit) {
            effectiveAt += LIMIT_DELAY;
            _pendingLimits[msg.sender] = PendingLimits(uint48(recordLimit), uint48(dayLimit), uint64(effectiveAt));
            a.pending = true;
            if (recordLimit > a.recordLimit) a.recordLimit = uint48(recordLimit);
            if (dayLimit > a.dayLimit) a.dayLimit = uint48(dayLimit);
        } else {
            a.pending = false;
            a.recordLimit = uint48(recordLimit);
            a.dayLimit = uint48(dayLimit);
        }
        _accounts[msg.sender] = _pack(a);
        emit LimitsChanged(msg.sender, recordLimit, dayLimit, effectiveAt);
    }

    /// @notice Withdraws free escrow to the caller. Works while paused.
    /// @param amount Base units, at most the `available` of escrowOf.
    function withdraw(uint256 amount) external nonReentrant {
        _withdraw(msg.sender, amount);
    }

    /// @notice Withdraws free escrow to another address (for a holder the token blocks). Works while paused.
    /// @param to Receiver of the tokens.
    /// @param amount Base units, at most the `available` of escrowOf.
    function withdrawTo(address to, uint256 amount) external nonReentrant {
        _withdraw(to, amount);
    }

    /// @notice Withdraws the caller's settled credits (payees and the fee recipient). Not while paused.
    /// @param amount Base units, at most creditsOf(caller).
    function withdrawCredits(uint256 amount) external nonReentrant whenNotPaused {
        _withdrawCredits(msg.sender, amount);
    }

    /// @notice Withdraws the caller's credits to another address (for a holder the token blocks).
    /// @param to Receiver of the tokens.
    /// @param amount Base units, at most creditsOf(caller).
    function withdrawCreditsTo(address to, uint256 amount) external nonReentrant whenNotPaused {
        _withdrawCredits(to, amount);
    }

    // ------------------------------------------------------------------ administration

    /// @notice Sets the fee on charging sessions, in basis points of each settled amount, and who receives fees.
    /// @param recipient Fee recipient (may be zero only with a zero fee).
    /// @param feeBps At most MAX_FEE_BPS.
    function setFee(address recipient, uint16 feeBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (feeBps > MAX_FEE_BPS || (feeBps != 0 && recipient == address(0))) revert EscrowAccountsInvalidFee(feeBps);
        _feeRecipient = recipient;
        _feeBps = feeBps;
        emit FeeChanged(recipient, feeBps);
    }

    /// @notice Stops deposits, settlements and credit withdrawals.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resumes deposits, settlements and credit withdrawals.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ------------------------------------------------------------------ views

    /// @notice The stablecoin held in escrow.
    /// @return The token.
    function token() external view returns (IERC20) {
        return _token;
    }

    /// @notice A payer's escrow, the part committed to its daily limit, and the rest.
    /// @param payer The payer.
    /// @return balance Base units in escrow.
    /// @return committed The part that may still be settled: min(escrow, daily limit in force).
    /// @return available The rest, which the payer may withdraw.
    function escrowOf(address payer) external view returns (uint256 balance, uint256 committed, uint256 available) {
        Account memory a = _load(payer, _today());
        balance = a.escrow;
        committed = _committed(a);
        available = balance - committed;
    }

    /// @notice A payer's limits in force, what is left of today's, and lowered limits waiting for their time.
    /// @param payer The payer.
    /// @return recordLimit Most per record.
    /// @return dayLimit Most per UTC day.
    /// @return spendableToday What may still be settled today: min(escrow, dayLimit − settled today).
    /// @return pendingRecordLimit Lowered record limit waiting (meaningful when pendingFrom ≠ 0).
    /// @return pendingDayLimit Lowered daily limit waiting (meaningful when pendingFrom ≠ 0).
    /// @return pendingFrom When the lowered limits take effect (0: none waiting).
    function limitsOf(address payer)
        external
        view
        returns (
            uint256 recordLimit,
            uint256 dayLimit,
            uint256 spendableToday,
            uint256 pendingRecordLimit,
            uint256 pendingDayLimit,
            uint256 pendingFrom
        )
    {
        Account memory a = _load(payer, _today());
        uint256 left = a.dayLimit - a.spentToday;
        spendableToday = left < a.escrow ? left : a.escrow;
        if (a.pending) {
            PendingLimits memory p = _pendingLimits[payer];
            (pendingRecordLimit, pendingDayLimit, pendingFrom) = (p.recordLimit, p.dayLimit, p.from);
        }
        return (a.recordLimit, a.dayLimit, spendableToday, pendingRecordLimit, pendingDayLimit, pendingFrom);
    }

    /// @notice Settled credits an account may withdraw.
    /// @param account Payee or fee recipient.
    /// @return The account's credits, base units.
    function creditsOf(address account) external view returns (uint256) {
        return _credits[account];
    }

    /// @notice The fee recipient and the fee on charging sessions in basis points.
    /// @return recipient Who is credited fees.
    /// @return feeBps The fee, basis points.
    function fee() external view returns (address recipient, uint16 feeBps) {
        return (_feeRecipient, _feeBps);
    }

    /// @notice When a settler may settle (0: not a settler).
    /// @param settler The account.
    /// @return Unix time from which it is active, 0 if it does not hold the role.
    function settlerActiveFrom(address settler) external view returns (uint256) {
        return hasRole(SETTLER_ROLE, settler) ? _settlerFrom[settler] : 0;
    }

    // ------------------------------------------------------------------ internals

    /// A settler granted after deployment becomes active SETTLER_DELAY later.
    function _grantRole(bytes32 role, address account) internal virtual override returns (bool granted) {
        granted = super._grantRole(role, account);
        if (granted && role == SETTLER_ROLE) {
            uint256 from = block.timestamp + SETTLER_DELAY;
            _settlerFrom[account] = from;
            emit SettlerScheduled(account, from);
        }
    }

    function _checkSettler() internal view {
        bool settler = hasRole(SETTLER_ROLE, msg.sender);
        uint256 from = settler ? _settlerFrom[msg.sender] : 0;
        if (!settler || block.timestamp < from) {
            revert EscrowAccountsSettlerNotActive(msg.sender, from);
        }
    }

    /// The current UTC day number (days since 1970; fits 16 bits until 2149).
    function _today() internal view returns (uint16) {
        return uint16(block.timestamp / 1 days);
    }

    /// A payer's account as of now (see {_loadPacked}), unpacked.
    function _load(address payer, uint16 today) internal view returns (Account memory) {
        return _unpack(_loadPacked(payer, today));
    }

    /// A payer's packed account as of now: lowered limits applied once their time has come, and the
    /// day's spending reset on a new day.
    function _loadPacked(address payer, uint16 today) internal view returns (uint256 w) {
        w = _accounts[payer];
        if (w >> _PENDING_SHIFT != 0) {
            PendingLimits memory p = _pendingLimits[payer];
            if (block.timestamp >= p.from) {
                w = uint88(w) | (uint256(p.recordLimit) << _RECORD_LIMIT_SHIFT)
                    | (uint256(p.dayLimit) << _DAY_LIMIT_SHIFT) | (w & (uint256(type(uint64).max) << _SPENT_SHIFT));
            }
        }
        if (uint16(w >> _DAY_SHIFT) != today) {
            // Keep escrow, limits and the pending bit; settled today = 0; the new day.
            w = (w & (((uint256(1) << _SPENT_SHIFT) - 1) | (uint256(1) << _PENDING_SHIFT))) | (uint256(today) << _DAY_SHIFT);
        }
    }

    /// Takes `amount` from a packed account if its limits and escrow allow; the new word and 0, or
    /// the word unchanged and a skip reason.
    function _debit(uint256 w, uint256 amount) internal pure returns (uint256, uint8) {
        if (amount > uint48(w >> _RECORD_LIMIT_SHIFT)) return (w, SKIPPED_OVER_RECORD_LIMIT);
        uint256 dayLimit = uint48(w >> _DAY_LIMIT_SHIFT);
        uint256 spent = uint48(w >> _SPENT_SHIFT);
        // A lowered daily limit can come into force below what was settled today already: nothing
        // more that day (and no underflow in the subtraction).
        if (spent > dayLimit || amount > dayLimit - spent) return (w, SKIPPED_OVER_DAY_LIMIT);
        if (amount > uint88(w)) return (w, SKIPPED_INSUFFICIENT_ESCROW);
        // Cannot borrow or carry across fields: amount <= escrow (the low 88 bits), and spent + amount
        // <= dayLimit < 2^48 (the 48 bits at _SPENT_SHIFT).
        unchecked {
            return (w - amount + (amount << _SPENT_SHIFT), 0);
        }
    }

    function _unpack(uint256 w) internal pure returns (Account memory a) {
        a.escrow = uint88(w);
        a.recordLimit = uint48(w >> _RECORD_LIMIT_SHIFT);
        a.dayLimit = uint48(w >> _DAY_LIMIT_SHIFT);
        a.spentToday = uint48(w >> _SPENT_SHIFT);
        a.day = uint16(w >> _DAY_SHIFT);
        a.pending = w >> _PENDING_SHIFT != 0;
    }

    function _pack(Account memory a) internal pure returns (uint256) {
        return uint256(a.escrow) | (uint256(a.recordLimit) << _RECORD_LIMIT_SHIFT)
            | (uint256(a.dayLimit) << _DAY_LIMIT_SHIFT) | (uint256(a.spentToday) << _SPENT_SHIFT)
            | (uint256(a.day) << _DAY_SHIFT) | (a.pending ? uint256(1) << _PENDING_SHIFT : 0);
    }

    function _committed(Account memory a) internal pure returns (uint256) {
        return a.dayLimit < a.escrow ? a.dayLimit : a.escrow;
    }

    function _deposit(uint256 amount) private {
        Account memory a = _load(msg.sender, _today());
        if (amount == 0 || uint256(a.escrow) + amount > type(uint88).max) revert EscrowAccountsInvalidAmount(amount);
        a.escrow += uint88(amount);
        _accounts[msg.sender] = _pack(a);
        emit Deposited(msg.sender, amount);
        _token.safeTransferFrom(msg.sender, address(this), amount);
    }

    function _withdraw(address to, uint256 amount) private {
        if (to == address(0)) revert EscrowAccountsInvalidRecipient(to);
        Account memory a = _load(msg.sender, _today());
        uint256 free = a.escrow - _committed(a);
        if (amount == 0 || amount > free) revert EscrowAccountsInsufficientFunds(msg.sender, free, amount);
        // Cannot underflow: amount <= free <= escrow.
        unchecked {
            a.escrow -= uint88(amount);
        }
        _accounts[msg.sender] = _pack(a);
        emit Withdrawn(msg.sender, to, amount);
        _token.safeTransfer(to, amount);
    }

    function _withdrawCredits(address to, uint256 amount) private {
        if (to == address(0)) revert EscrowAccountsInvalidRecipient(to);
        uint256 credits = _credits[msg.sender];
        if (amount == 0 || amount > credits) revert EscrowAccountsInsufficientFunds(msg.sender, credits, amount);
        // Cannot underflow: amount <= credits.
        unchecked {
            _credits[msg.sender] = credits - amount;
        }
        emit CreditsWithdrawn(msg.sender, to, amount);
        _token.safeTransfer(to, amount);
    }
}
