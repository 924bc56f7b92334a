// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

// Hardhat 3 Solidity tests (`npm run coverage:contracts`): fuzzed inputs run by Hardhat's EDR, without
// forge-std (not available offline): plain `require`s. The jest suites in this folder are the main
// tests (events, errors, roles, randomized invariants over both record kinds); these add fuzzed
// amounts and limits and give Hardhat's coverage report something to measure.

import {PaymentLedger} from "../../contracts/PaymentLedger.sol";
import {TestStablecoin} from "../../contracts/TestStablecoin.sol";

contract PaymentLedgerFuzzTest {
    TestStablecoin private _token;
    PaymentLedger private _ledger;
    address private constant PAYEE = address(0xBEEF);
    address private constant FEES = address(0xFEE);

    function setUp() public {
        _token = new TestStablecoin(address(this));
        // This contract is admin, payer and (from deployment, at once) settler.
        _ledger = new PaymentLedger(_token, 3 days, address(this), address(this));
        _token.mint(address(this), type(uint88).max);
        _token.approve(address(_ledger), type(uint256).max);
    }

    /// A session is paid exactly when it is within the escrow, the record limit and the daily limit,
    /// and the fee split is exact: fee = floor(amount × bps / 10,000), the payee gets the rest.
    function testFuzz_settlesExactlyWhatTheLimitsAllow(
        uint64 deposit,
        uint48 recordLimit,
        uint48 dayLimit,
        uint64 amount,
        uint16 feeBps
    ) public {
        deposit = uint64(1 + deposit % 1e15);
        feeBps = feeBps % 1001;
        _ledger.setFee(FEES, feeBps);
        _ledger.deposit(deposit);
        _ledger.setLimits(recordLimit, dayLimit);
        PaymentLedger.SessionRecord[] memory b = new PaymentLedger.SessionRecord[](1);
        b[0] = PaymentLedger.SessionRecord(42, address(this), PAYEE, amount, bytes32(0));
        bool affordable = amount > 0 && amount <= recordLimit && amount <= dayLimit && amount <= deposit;
        require(_ledger.settleSessions(b) == (affordable ? 1 : 0), "paid what the limits forbid, or refused what they allow");
        require(_ledger.isSessionSettled(42) == affordable, "marked wrongly");
        if (affordable) {
            uint256 fee = uint256(amount) * feeBps / 10_000;
            require(_ledger.creditsOf(FEES) == fee, "fee");
            require(_ledger.creditsOf(PAYEE) == amount - fee, "payee share");
        }
        (uint256 escrow,,) = _ledger.escrowOf(address(this));
        require(
            _token.balanceOf(address(_ledger)) == escrow + _ledger.creditsOf(PAYEE) + _ledger.creditsOf(FEES), "sum"
        );
    }

    /// However a day's records are cut, no more than the daily limit leaves the escrow that day.
    function testFuzz_neverMoreThanTheDailyLimitPerDay(uint48 dayLimit, uint32[8] memory amounts) public {
        _ledger.deposit(1e15);
        _ledger.setLimits(type(uint48).max, dayLimit);
        PaymentLedger.SessionRecord[] memory b = new PaymentLedger.SessionRecord[](8);
        for (uint256 i; i < 8; ++i) {
            b[i] = PaymentLedger.SessionRecord(100 + i, address(this), PAYEE, amounts[i], bytes32(i));
        }
        _ledger.settleSessions(b);
        (uint256 escrow,,) = _ledger.escrowOf(address(this));
        require(1e15 - escrow <= dayLimit, "more than the daily limit in a day");
    }

    /// A trade moves ⌊energy × price / 1000⌋ from the buyer, and the fee and the seller's part add up to it.
    function testFuzz_tradeAmountsFollowTheClearingRounding(uint32 energyWh, uint32 price, uint16 feeBps) public {
        feeBps = feeBps % 1001;
        _ledger.setFee(FEES, 0);
        _ledger.deposit(1e15);
        _ledger.setLimits(type(uint48).max, type(uint48).max);
        PaymentLedger.TradeRecord[] memory b = new PaymentLedger.TradeRecord[](1);
        b[0] = PaymentLedger.TradeRecord(7, address(this), PAYEE, energyWh, price, feeBps, bytes32(0), new PaymentLedger.Share[](0));
        uint256 gross = uint256(energyWh) * price / 1000;
        uint256 settled = _ledger.settleTrades(b);
        // Limits are 48-bit numbers: a gross beyond them is over any limit a payer can set.
        require(settled == (gross > 0 && gross <= type(uint48).max ? 1 : 0), "trade outcome");
        (uint256 escrow,,) = _ledger.escrowOf(address(this));
        require(1e15 - escrow == (settled == 1 ? gross : 0), "buyer paid");
        require(_ledger.creditsOf(PAYEE) + _ledger.creditsOf(FEES) == (settled == 1 ? gross : 0), "split");
    }

    /// Any record id settles at most once, alone or twice in a batch.
    function testFuzz_recordIdSettlesOnce(uint256 recordId) public {
        _ledger.deposit(1e9);
        _ledger.setLimits(1e9, 1e9);
        PaymentLedger.SessionRecord[] memory b = new PaymentLedger.SessionRecord[](2);
        b[0] = PaymentLedger.SessionRecord(recordId, address(this), PAYEE, 1e6, bytes32(0));
        b[1] = b[0];
        require(_ledger.settleSessions(b) == 1, "one of the two");
        require(_ledger.settleSessions(b) == 0, "a replay settled");
        (uint256 escrow,,) = _ledger.escrowOf(address(this));
        require(escrow == 1e9 - 1e6, "escrow");
    }
}
