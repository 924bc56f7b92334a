// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title TestStablecoin
/// @notice A 6-decimal stablecoin with ERC-2612 permits, for local chains and testnets only. On
/// Polygon the platform uses the real token whose address comes from configuration.
contract TestStablecoin is ERC20, ERC20Permit, AccessControl {
    /// @notice Role allowed to mint test funds.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @notice Deploys the test token.
    /// @param admin Receives the admin and minter roles.
    constructor(address admin) ERC20("GridLedger Test USD", "glUSD") ERC20Permit("GridLedger Test USD") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MINTER_ROLE, admin);
    }

    /// @notice Six decimals, like USDC on Polygon.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Mints test funds.
    /// @param to Receiver.
    /// @param amount Amount in base units (10^-6).
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }
}
