// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

// Hardhat 3 Solidity tests (`npm run coverage:contracts`): fuzzing and invariants run by Hardhat's
// EDR, without forge-std (not available offline): plain `require`s, and actor contracts instead of
// cheatcodes. The jest suites in this folder are the main tests; these add fuzzed inputs and give
// Hardhat's coverage report something to measure.

import {ChargingPayments} from "../../contracts/ChargingPayments.sol";
import {TestStablecoin} from "../../contracts/TestStablecoin.sol";

/// A wallet: payer, payee or fee recipient, acting through its own address.
contract Actor {
    ChargingPayments private immutable _payments;

    constructor(ChargingPayments payments, TestStablecoin token) {
        _payments = payments;
        token.approve(address(payments), type(uint256).max);
    }

    function deposit(uint256 amount) external {
        _payments.deposit(amount);
    }

    function withdraw(uint256 amount) external {
        _payments.withdraw(amount);
    }

    function authorize(uint256 cap) external {
        _payments.authorize(cap);
    }

    function withdrawCredits(uint256 amount) external {
        _payments.withdrawCredits(amount);
    }
}

/// Drives random operations for the invariant test and keeps the ghost totals it checks.
contract Handler {
    ChargingPayments public immutable payments;
    TestStablecoin public immutable token;
    Actor[3] public payers;
    Actor[2] public payees;
    Actor public immutable feeRecipient;
    mapping(address payer => uint256) public authorizedTotal;
    mapping(address payer => uint256) public paidTotal;
    uint256 public nextRecordId = 1;
    uint256 public constant MINTED = 1e12;

    constructor() {
        token = new TestStablecoin(address(this));
        payments = new ChargingPayments(token, address(this));
        payments.grantRole(payments.SETTLER_ROLE(), address(this));
        for (uint256 i; i < 3; ++i) {
            payers[i] = new Actor(payments, token);
            token.mint(address(payers[i]), MINTED);
        }
        for (uint256 i; i < 2; ++i) payees[i] = new Actor(payments, token);
        feeRecipient = new Actor(payments, token);
        payments.setFee(address(feeRecipient), 250);
    }

    function deposit(uint8 who, uint64 amount) external {
        try payers[who % 3].deposit(amount) {} catch {}
    }

    function withdraw(uint8 who, uint64 amount) external {
        try payers[who % 3].withdraw(amount) {} catch {}
    }

    function authorize(uint8 who, uint64 cap) external {
        Actor p = payers[who % 3];
        (uint256 inForce,,) = payments.authorizationOf(address(p));
        try p.authorize(cap) {
            if (cap > inForce) authorizedTotal[address(p)] += cap - inForce;
        } catch {}
    }

    function settle(uint8 who, uint8 to, uint64 amount, bool replay) external {
        uint256 id = replay && nextRecordId > 1 ? nextRecordId - 1 : nextRecordId++;
        Actor p = payers[who % 3];
        try payments.settle(
            ChargingPayments.Settlement(id, address(p), address(payees[to % 2]), amount, bytes32(id))
        ) {
            paidTotal[address(p)] += amount;
        } catch {}
    }

    function settleBatch(uint8 who, uint64 amount, uint8 size) external {
        size = size % 8;
        ChargingPayments.Settlement[] memory batch = new ChargingPayments.Settlement[](size);
        for (uint256 i; i < size; ++i) {
            // Every third record repeats the one before it: a replay inside the batch.
            uint256 id = i % 3 == 2 ? nextRecordId - 1 : nextRecordId++;
            batch[i] = ChargingPayments.Settlement(
                id, address(payers[(who + i) % 3]), address(payees[i % 2]), amount / (i + 1), bytes32(id)
            );
        }
        (uint256[3] memory before) = _escrows();
        payments.settleBatch(batch);
        (uint256[3] memory afterwards) = _escrows();
        for (uint256 i; i < 3; ++i) paidTotal[address(payers[i])] += before[i] - afterwards[i];
    }

    function withdrawCredits(uint8 who, uint64 amount) external {
        Actor a = who % 3 == 2 ? feeRecipient : payees[who % 2];
        try a.withdrawCredits(amount) {} catch {}
    }

    function setFee(uint16 feeBps) external {
        try payments.setFee(address(feeRecipient), feeBps) {} catch {}
    }

    function _escrows() private view returns (uint256[3] memory e) {
        for (uint256 i; i < 3; ++i) (e[i],,) = payments.escrowOf(address(payers[i]));
    }
}

contract ChargingPaymentsInvariantTest {
    Handler private _handler;

    function setUp() public {
        _handler = new Handler();
    }

    /// Only the handler is called by the invariant fuzzer.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(_handler);
    }

    /// Token balance of the contract = Σ escrow + Σ credits.
    function invariant_balanceCoversEscrowAndCredits() public view {
        ChargingPayments payments = _handler.payments();
        uint256 sum = payments.creditsOf(address(_handler.feeRecipient()));
        for (uint256 i; i < 3; ++i) {
            (uint256 escrow,,) = payments.escrowOf(address(_handler.payers(i)));
            sum += escrow;
        }
        for (uint256 i; i < 2; ++i) sum += payments.creditsOf(address(_handler.payees(i)));
        require(_handler.token().balanceOf(address(payments)) == sum, "balance != escrow + credits");
    }

    /// No payer lost more than they authorized; what they lost is what was settled from them.
    function invariant_payersLoseAtMostWhatTheyAuthorized() public view {
        ChargingPayments payments = _handler.payments();
        for (uint256 i; i < 3; ++i) {
            address p = address(_handler.payers(i));
            (uint256 escrow,,) = payments.escrowOf(p);
            uint256 lost = _handler.MINTED() - _handler.token().balanceOf(p) - escrow;
            require(lost == _handler.paidTotal(p), "loss != settled");
            require(lost <= _handler.authorizedTotal(p), "lost more than authorized");
        }
    }
}

contract ChargingPaymentsFuzzTest {
    TestStablecoin private _token;
    ChargingPayments private _payments;
    address private constant PAYEE = address(0xBEEF);
    address private constant FEES = address(0xFEE);

    function setUp() public {
        _token = new TestStablecoin(address(this));
        _payments = new ChargingPayments(_token, address(this));
        _payments.grantRole(_payments.SETTLER_ROLE(), address(this));
        _token.mint(address(this), type(uint112).max);
        _token.approve(address(_payments), type(uint256).max);
    }

    /// A settlement goes through exactly when it is within escrow and authorization, and the fee
    /// split is exact: fee = floor(amount × bps / 10,000), payee gets the rest.
    function testFuzz_settlesExactlyWhatIsAffordable(uint96 deposit, uint96 cap, uint96 amount, uint16 feeBps)
        public
    {
        deposit = uint96(1 + deposit % 1e15);
        feeBps = feeBps % 1001;
        _payments.setFee(FEES, feeBps);
        _payments.deposit(deposit);
        _payments.authorize(cap);
        try _payments.settle(ChargingPayments.Settlement(42, address(this), PAYEE, amount, bytes32(0))) {
            require(amount > 0 && amount <= cap && amount <= deposit, "paid what was not affordable");
            uint256 fee = uint256(amount) * feeBps / 10_000;
            require(_payments.creditsOf(FEES) == fee, "fee");
            require(_payments.creditsOf(PAYEE) == amount - fee, "payee share");
            require(_payments.isSettled(42), "not marked");
        } catch {
            require(amount == 0 || amount > cap || amount > deposit, "refused an affordable settlement");
            require(!_payments.isSettled(42), "marked though refused");
        }
        (uint256 escrow,,) = _payments.escrowOf(address(this));
        require(_token.balanceOf(address(_payments)) == escrow + _payments.creditsOf(PAYEE) + _payments.creditsOf(FEES), "sum");
    }

    /// Any record id settles at most once, alone or in a batch.
    function testFuzz_recordIdSettlesOnce(uint256 recordId) public {
        _payments.deposit(1e9);
        _payments.authorize(1e9);
        ChargingPayments.Settlement memory s = ChargingPayments.Settlement(recordId, address(this), PAYEE, 1e6, bytes32(0));
        _payments.settle(s);
        require(_payments.isSettled(recordId), "not marked");
        try _payments.settle(s) {
            revert("settled twice");
        } catch {}
        ChargingPayments.Settlement[] memory batch = new ChargingPayments.Settlement[](2);
        batch[0] = s;
        batch[1] = s;
        require(_payments.settleBatch(batch) == 0, "batch settled a replay");
        (uint256 escrow,,) = _payments.escrowOf(address(this));
        require(escrow == 1e9 - 1e6, "escrow");
    }

    /// Committed = min(escrow, cap); exactly the rest can be withdrawn.
    function testFuzz_withdrawsOnlyUncommitted(uint96 deposit, uint96 cap, uint96 amount) public {
        deposit = uint96(1 + deposit % 1e15);
        _payments.deposit(deposit);
        _payments.authorize(cap);
        uint256 free = deposit > cap ? deposit - cap : 0;
        try _payments.withdraw(amount) {
            require(amount > 0 && amount <= free, "withdrew committed funds");
        } catch {
            require(amount == 0 || amount > free, "refused a free withdrawal");
        }
    }
}
