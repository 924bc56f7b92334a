// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

/// @title ChargingPayments
/// @notice Escrow of one stablecoin from which finished charging sessions are paid.
///
/// Payers deposit into escrow and set a spending authorization for charging. The platform's settler
/// pays each finished session once (identified by its record id, a number the platform assigns) from
/// the payer's escrow, within the authorization: the payee (the charging operator) and the platform's
/// fee recipient are credited inside the contract and withdraw their credits themselves (pull
/// payments: no token transfer per record).
///
/// Authorization: `authorize(cap)` sets, like an ERC-20 allowance, how much may still be taken; each
/// settlement consumes it. Raising it takes effect at once; lowering it takes effect
/// AUTHORIZATION_DELAY later, so that charging already done under the old authorization can still be
/// settled. A payer can therefore never lose more than the sum of the increases they authorized.
///
/// Committed funds: min(escrow, cap in force), the part the settler may still take. A payer can
/// always withdraw the rest, and all of it once a lowered authorization is in force. Nobody else,
/// admins included, can move a payer's escrow: the only ways out of it are settle (to a payee, within
/// the payer's authorization, once per record) and withdraw (to the payer). There is no upgrade path.
///
/// Replay protection: a record id is an unsigned number; its settled flag is bit (id % 256) of word
/// (id / 256) of a bitmap. The mapping from id to bit is one-to-one, so every id can be settled at
/// most once whatever ids are used; the platform numbers records sequentially (a database sequence)
/// so that 256 consecutive records share one storage word, which a batch reads and writes once.
///
/// The token must be a plain ERC-20 (no fee on transfer, no rebasing): escrow is credited with the
/// amount asked for, not with a measured balance difference.
contract ChargingPayments is AccessControl, Pausable, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice May settle sessions.
    bytes32 public constant SETTLER_ROLE = keccak256("SETTLER_ROLE");
    /// @notice May pause and unpause deposits and settlements.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice The platform fee can never exceed 10 %.
    uint16 public constant MAX_FEE_BPS = 1000;
    /// @notice Delay before a lowered authorization takes effect.
    uint32 public constant AUTHORIZATION_DELAY = 1 days;

    /// @notice One session to pay.
    /// @param recordId Number the platform assigned to the session's record (settled at most once).
    /// @param payer Whose escrow pays.
    /// @param payee Who is credited the amount less the fee (the charging operator).
    /// @param amount What the payer pays in total, fee included, in token base units.
    /// @param recordHash keccak256 of the canonical off-chain record, for anyone to check it against.
    struct Settlement {
        uint256 recordId;
        address payer;
        address payee;
        uint256 amount;
        bytes32 recordHash;
    }

    /// Escrow and authorization of a payer, in one storage slot.
    struct Account {
        uint112 escrow;
        uint112 cap;
        uint32 lowerCapFrom;
    }

    /// Why a batch skipped a record.
    uint8 internal constant SKIPPED_ALREADY_SETTLED = 1;
    uint8 internal constant SKIPPED_OVER_AUTHORIZATION = 2;
    uint8 internal constant SKIPPED_INSUFFICIENT_ESCROW = 3;
    uint8 internal constant SKIPPED_INVALID = 4;

    IERC20 private immutable _token;
    mapping(address payer => Account) private _accounts;
    mapping(address payer => uint112) private _lowerCapTo;
    mapping(address account => uint256) private _credits;
    mapping(uint256 word => uint256) private _settled;
    address private _feeRecipient;
    uint16 private _feeBps;

    /// @notice A payer added funds to escrow.
    /// @param payer Whose escrow.
    /// @param amount Base units added.
    event Deposited(address indexed payer, uint256 amount);
    /// @notice A payer took uncommitted funds out of escrow.
    /// @param payer Whose escrow.
    /// @param amount Base units taken out.
    event Withdrawn(address indexed payer, uint256 amount);
    /// @notice A payer's spending authorization changed (or will, at `effectiveAt`).
    /// @param payer Whose authorization.
    /// @param cap The new cap, base units.
    /// @param effectiveAt When it takes effect (now for a raise, after the delay for a lowering).
    event AuthorizationChanged(address indexed payer, uint256 cap, uint256 effectiveAt);
    /// @notice A session was paid. `recordHash` is keccak256 of the session's canonical off-chain record.
    /// @param recordId The settlement record's number.
    /// @param payer Who paid (the driver's wallet).
    /// @param payee Who was credited (the operator's wallet).
    /// @param amount Base units taken from the payer's escrow.
    /// @param fee The part of `amount` credited to the fee recipient.
    /// @param recordHash keccak256 of the canonical off-chain record.
    event SessionSettled(
        uint256 indexed recordId, address indexed payer, address indexed payee, uint256 amount, uint256 fee, bytes32 recordHash
    );
    /// @notice A batch skipped a record (1 already settled, 2 over authorization, 3 insufficient escrow, 4 invalid).
    /// @param recordId The record skipped.
    /// @param reason Why (the numbers above).
    event SettlementSkipped(uint256 indexed recordId, uint8 reason);
    /// @notice A batch was processed: `settled` records paid, `skipped` records skipped.
    /// @param settled Records paid.
    /// @param skipped Records skipped.
    event BatchSettled(uint256 settled, uint256 skipped);
    /// @notice A payee or the fee recipient withdrew credits.
    /// @param account Who withdrew.
    /// @param amount Base units withdrawn.
    event CreditsWithdrawn(address indexed account, uint256 amount);
    /// @notice The platform fee changed.
    /// @param recipient Who is credited the fee.
    /// @param feeBps The fee, basis points of each settled amount.
    event FeeChanged(address indexed recipient, uint16 feeBps);

    /// @notice The record was settled before.
    error ChargingPaymentsRecordAlreadySettled(uint256 recordId);
    /// @notice The amount exceeds what the payer authorized.
    error ChargingPaymentsAuthorizationExceeded(address payer, uint256 authorized, uint256 amount);
    /// @notice The amount exceeds the payer's escrow.
    error ChargingPaymentsInsufficientEscrow(address payer, uint256 escrow, uint256 amount);
    /// @notice The amount exceeds what may be withdrawn.
    error ChargingPaymentsInsufficientFunds(address account, uint256 available, uint256 amount);
    /// @notice Fee above MAX_FEE_BPS, or a fee without a recipient.
    error ChargingPaymentsInvalidFee(uint16 feeBps);
    /// @notice Zero amount, zero address or a value too large for the accounts.
    error ChargingPaymentsInvalidSettlement(uint256 recordId);
    /// @notice Zero amounts and values above 2^112 are refused.
    error ChargingPaymentsInvalidAmount(uint256 amount);

    /// @notice Deploys the contract over `token_`.
    /// @param token_ The stablecoin (6 decimals on Polygon).
    /// @param admin Holds the admin, settler-granting and pauser roles at first.
    constructor(IERC20 token_, address admin) {
        _token = token_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
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

    /// @notice Sets how much may still be taken from the caller's escrow for charging.
    /// @dev Raising takes effect now; lowering after AUTHORIZATION_DELAY (charging already done under
    /// the current authorization must remain payable). Works while paused.
    /// @param cap New authorization in base units.
    function authorize(uint256 cap) external {
        if (cap > type(uint112).max) revert ChargingPaymentsInvalidAmount(cap);
        Account memory a = _current(msg.sender);
        if (cap >= a.cap) {
            a.cap = uint112(cap);
            a.lowerCapFrom = 0;
            emit AuthorizationChanged(msg.sender, cap, block.timestamp);
        } else {
            a.lowerCapFrom = uint32(block.timestamp + AUTHORIZATION_DELAY);
            _lowerCapTo[msg.sender] = uint112(cap);
            emit AuthorizationChanged(msg.sender, cap, a.lowerCapFrom);
        }
        _accounts[msg.sender] = a;
    }

    /// @notice Withdraws uncommitted escrow. Works while paused.
    /// @param amount Base units, at most available().
    function withdraw(uint256 amount) external nonReentrant {
        Account memory a = _current(msg.sender);
        uint256 free = a.escrow - _committed(a);
        if (amount == 0 || amount > free) revert ChargingPaymentsInsufficientFunds(msg.sender, free, amount);
        // Cannot underflow: amount <= free <= escrow.
        unchecked {
            a.escrow -= uint112(amount);
        }
        _accounts[msg.sender] = a;
        emit Withdrawn(msg.sender, amount);
        _token.safeTransfer(msg.sender, amount);
    }

    // ------------------------------------------------------------------ settlement

    /// @notice Pays one session; reverts if it was paid before or cannot be paid.
    /// @param s The session's record.
    function settle(Settlement calldata s) external onlyRole(SETTLER_ROLE) whenNotPaused {
        if (s.amount == 0 || s.amount > type(uint112).max || s.payer == address(0) || s.payee == address(0)) {
            revert ChargingPaymentsInvalidSettlement(s.recordId);
        }
        (uint256 word, uint256 bit) = (s.recordId >> 8, uint256(1) << (s.recordId & 0xff));
        uint256 settledWord = _settled[word];
        if (settledWord & bit != 0) revert ChargingPaymentsRecordAlreadySettled(s.recordId);
        Account memory a = _current(s.payer);
        if (s.amount > a.cap) revert ChargingPaymentsAuthorizationExceeded(s.payer, a.cap, s.amount);
        if (s.amount > a.escrow) revert ChargingPaymentsInsufficientEscrow(s.payer, a.escrow, s.amount);
        uint256 feeAmount = (s.amount * _feeBps) / 10_000;
        _settled[word] = settledWord | bit;
        // Cannot underflow: amount <= cap and amount <= escrow were checked above.
        unchecked {
            a.escrow -= uint112(s.amount);
            a.cap -= uint112(s.amount);
        }
        _accounts[s.payer] = a;
        _credits[s.payee] += s.amount - feeAmount;
        if (feeAmount != 0) _credits[_feeRecipient] += feeAmount;
        emit SessionSettled(s.recordId, s.payer, s.payee, s.amount, feeAmount, s.recordHash);
    }

    // One loop with its checks inline: a helper per record would cost gas in every record.
    // solhint-disable function-max-lines
    /// @notice Pays many sessions. A record that was paid before, or cannot be paid, is skipped with
    /// SettlementSkipped so that one bad record never blocks the others; BatchSettled gives the counts.
    /// @param batch Records to pay.
    /// @return settled How many were paid.
    function settleBatch(Settlement[] calldata batch)
        external
        onlyRole(SETTLER_ROLE)
        whenNotPaused
        returns (uint256 settled)
    {
        uint16 feeBps = _feeBps;
        uint256 totalFee;
        // No word index reaches type(uint256).max (indices are recordId >> 8 < 2^248): a safe "none yet".
        uint256 cachedWord = type(uint256).max;
        uint256 cachedBits;
        for (uint256 i; i < batch.length; ++i) {
            Settlement calldata s = batch[i];
            uint256 word = s.recordId >> 8;
            uint256 bit = uint256(1) << (s.recordId & 0xff);
            // Consecutive record ids share a bitmap word: read and write it once per run.
            if (word != cachedWord) {
                if (cachedWord != type(uint256).max) _settled[cachedWord] = cachedBits;
                cachedWord = word;
                cachedBits = _settled[word];
            }
            uint8 skip = _check(s, cachedBits & bit != 0);
            if (skip != 0) {
                emit SettlementSkipped(s.recordId, skip);
                continue;
            }
            Account memory a = _current(s.payer);
            if (s.amount > a.cap) {
                emit SettlementSkipped(s.recordId, SKIPPED_OVER_AUTHORIZATION);
                continue;
            }
            if (s.amount > a.escrow) {
                emit SettlementSkipped(s.recordId, SKIPPED_INSUFFICIENT_ESCROW);
                continue;
            }
            uint256 feeAmount = (s.amount * feeBps) / 10_000;
            cachedBits |= bit;
            // Cannot underflow: amount <= cap and amount <= escrow were checked above.
            unchecked {
                a.escrow -= uint112(s.amount);
                a.cap -= uint112(s.amount);
                totalFee += feeAmount;
                ++settled;
            }
            _accounts[s.payer] = a;
            _credits[s.payee] += s.amount - feeAmount;
            emit SessionSettled(s.recordId, s.payer, s.payee, s.amount, feeAmount, s.recordHash);
        }
        if (cachedWord != type(uint256).max) _settled[cachedWord] = cachedBits;
        if (totalFee != 0) _credits[_feeRecipient] += totalFee;
        // Cannot underflow: settled counts a subset of the batch.
        unchecked {
            emit BatchSettled(settled, batch.length - settled);
        }
    }
    // solhint-enable function-max-lines

    /// @notice Withdraws the caller's settled credits (payees and the fee recipient). Works while paused.
    /// @param amount Base units, at most creditsOf(caller).
    function withdrawCredits(uint256 amount) external nonReentrant {
        uint256 credits = _credits[msg.sender];
        if (amount == 0 || amount > credits) revert ChargingPaymentsInsufficientFunds(msg.sender, credits, amount);
        // Cannot underflow: amount <= credits.
        unchecked {
            _credits[msg.sender] = credits - amount;
        }
        emit CreditsWithdrawn(msg.sender, amount);
        _token.safeTransfer(msg.sender, amount);
    }

    // ------------------------------------------------------------------ administration

    /// @notice Sets the platform fee, in basis points of each settled amount, and who receives it.
    /// @param recipient Fee recipient (may be zero only with a zero fee).
    /// @param feeBps At most MAX_FEE_BPS.
    function setFee(address recipient, uint16 feeBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (feeBps > MAX_FEE_BPS || (feeBps != 0 && recipient == address(0))) revert ChargingPaymentsInvalidFee(feeBps);
        _feeRecipient = recipient;
        _feeBps = feeBps;
        emit FeeChanged(recipient, feeBps);
    }

    /// @notice Stops deposits and settlements (withdrawals and authorizations still work).
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resumes deposits and settlements.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ------------------------------------------------------------------ views

    /// @notice The stablecoin held in escrow.
    /// @return The token.
    function token() external view returns (IERC20) {
        return _token;
    }

    /// @notice A payer's escrow, the part committed to their authorization, and the rest.
    /// @param payer The payer.
    /// @return balance Base units in escrow.
    /// @return committed The part the settler may still take (min(escrow, cap in force)).
    /// @return available The rest, which the payer may withdraw.
    function escrowOf(address payer) external view returns (uint256 balance, uint256 committed, uint256 available) {
        Account memory a = _current(payer);
        balance = a.escrow;
        committed = _committed(a);
        available = balance - committed;
    }

    /// @notice The authorization in force, and a pending lower one with the time it takes effect.
    /// @param payer The payer.
    /// @return cap The authorization in force.
    /// @return pendingCap A lower one waiting for its delay (0: none).
    /// @return pendingFrom When it takes effect (0: none).
    function authorizationOf(address payer) external view returns (uint256 cap, uint256 pendingCap, uint256 pendingFrom) {
        Account memory a = _current(payer);
        return (a.cap, a.lowerCapFrom == 0 ? 0 : _lowerCapTo[payer], a.lowerCapFrom);
    }

    /// @notice Settled credits an account may withdraw.
    /// @param account Payee or fee recipient.
    /// @return The account's credits, base units.
    function creditsOf(address account) external view returns (uint256) {
        return _credits[account];
    }

    /// @notice Whether a record was settled (the settler asks before resending after a crash).
    /// @param recordId The record.
    /// @return Whether it was settled.
    function isSettled(uint256 recordId) external view returns (bool) {
        return _settled[recordId >> 8] & (uint256(1) << (recordId & 0xff)) != 0;
    }

    /// @notice The fee recipient and the fee in basis points.
    /// @return recipient Who is credited the fee.
    /// @return feeBps The fee, basis points.
    function fee() external view returns (address recipient, uint16 feeBps) {
        return (_feeRecipient, _feeBps);
    }

    // ------------------------------------------------------------------ internals

    function _deposit(uint256 amount) private {
        Account memory a = _current(msg.sender);
        if (amount == 0 || uint256(a.escrow) + amount > type(uint112).max) revert ChargingPaymentsInvalidAmount(amount);
        a.escrow += uint112(amount);
        _accounts[msg.sender] = a;
        emit Deposited(msg.sender, amount);
        _token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// The account with a lowered authorization applied once its time has come.
    function _current(address payer) private view returns (Account memory a) {
        a = _accounts[payer];
        if (a.lowerCapFrom != 0 && block.timestamp >= a.lowerCapFrom) {
            uint112 lower = _lowerCapTo[payer];
            if (lower < a.cap) a.cap = lower;
            a.lowerCapFrom = 0;
        }
    }

    function _committed(Account memory a) private pure returns (uint256) {
        return a.cap < a.escrow ? a.cap : a.escrow;
    }

    function _check(Settlement calldata s, bool alreadySettled) private pure returns (uint8) {
        if (alreadySettled) return SKIPPED_ALREADY_SETTLED;
        if (s.amount == 0 || s.amount > type(uint112).max || s.payer == address(0) || s.payee == address(0)) {
            return SKIPPED_INVALID;
        }
        return 0;
    }
}
